"""Batch jobs: decode a large input with a trained model, every item exactly once, resumably."""
from seqcore.batch.job import BatchJob, JobSettings, JobSummary

__all__ = ["BatchJob", "JobSettings", "JobSummary"]
