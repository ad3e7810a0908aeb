from headwater.cli.main import run

run()
