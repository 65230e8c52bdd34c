"""Batches on a render farm: Open Job Description (AWS Deadline Cloud) and OpenCue; no Maya here.

* ``rows``: reading jobs files (shared with the mayapy batch's ``audio2face_maya.jobs``);
* ``audio_jobs``: audio-only jobs (audio + curve-file output, no scene), run without Maya;
* ``selection``, ``plan``: which rows each task runs (one per scene or per chunk of N);
* ``results``: per-job result files, input fingerprints, the up-to-date check;
* ``run_task``: the headless task; ``batch_tasks``: the same options in the mayapy batch;
* ``report``: the reduce step (CSV + HTML with the QC plots);
* ``openjd_template``, ``opencue_job``: the jobs for each engine, built with its own library
  (``openjd-model``, ``opencue-pyoutline``: the ``farm`` extra, imported only when used).
"""
