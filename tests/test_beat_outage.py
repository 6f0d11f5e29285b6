"""celery beat through a broker outage: one line when it starts, one when it ends,
and the tasks sent again once the broker is back."""

import logging

import redis

from inkwell.workers.beat import QuietScheduler
from inkwell.workers.queues import QUEUES


def test_beat_logs_an_outage_once_and_its_end(jobs_app, own_redis, tmp_path, caplog) -> None:
    celery = jobs_app(own_redis.url, 1).extensions["celery"]
    scheduler = QuietScheduler(app=celery, schedule_filename=str(tmp_path / "beat"))
    entries = list(scheduler.schedule.values())
    caplog.set_level(logging.DEBUG, logger="inkwell.workers.beat")
    own_redis.stop()
    for _ in range(3):  # three ticks of every entry while Redis is down
        for entry in entries:
            scheduler.apply_entry(entry)
    own_redis.start()
    for entry in entries:
        scheduler.apply_entry(entry)
    scheduler.close()
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.levelname for r in lines] == ["ERROR", "WARNING"]
    assert "broker unavailable" in lines[0].getMessage()
    assert lines[0].exc_info is None  # no traceback
    back = lines[1].getMessage()
    assert back.startswith("broker back after") and f"{3 * len(entries)} scheduled" in back
    queued = sum(redis.Redis.from_url(own_redis.url).llen(q) for q in QUEUES)
    assert queued == len(entries)  # each entry sent once the broker answered again
