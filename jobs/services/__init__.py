"""Shop jobs: work over many shops, out of the web request (see jobs.models).

`create.py` makes a job and its rows (what a web request does, a few queries whatever the
number of shops) and says who may see it; `process.py` is what the background task runs;
`report.py` turns a job into its page: per-shop progress and the final messages.
"""
