"""The job kinds of workflows, for workers to import: `workflows.run` (one run) and `workflows.scan`
(the periodic look for due schedules). List this module in the job system's built-in task modules."""

from headwater.workflows import runs, schedules

KINDS = (runs.RUN_KIND, schedules.SCAN_KIND)
