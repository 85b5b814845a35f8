"""The background queue as the worker's sweeps read it."""


def first_args_of_coming(task):
    """The first argument of each run of `task` queued or running: the ids of the objects a job of it
    will still work on (a pack to build, an appendix to convert)."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    jobs = DBTaskResult.objects.filter(
        task_path=task.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    return {row["args"][0] for row in jobs.values_list("args_kwargs", flat=True) if row.get("args")}
