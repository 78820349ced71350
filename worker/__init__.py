"""The worker process (workflows and activities on the task queue) and the `dev` runner."""
