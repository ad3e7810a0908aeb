"""`python -m headwater.workflows.schema`: rewrite the shipped schema file from the models."""

from headwater.workflows.schema import write

print(write())
