"""Background work on Celery: the app bound to Flask (`celery_app`), the outbox
relay and sweeper (`relay`), mail tasks (`mail`), time-driven tasks (`schedule`),
image processing (`media`), mirror publishes (`publish`, `mirror_sync`), queue
lengths (`queues`) and the worker entry (`worker`).

    view:    change + outbox row ─commit─► after_commit notes the row ids
             app context ends ─► relay: apply_async(task, outbox_id, ids...)
             (broker down: the row stays pending)
    worker:  claim the row (one UPDATE ... WHERE done_at IS NULL AND lease free)
             ─► work ─► done_at
    sweeper: publish again the rows not done OUTBOX_RETRY_AFTER (2 min) after they were
             published and held by no task (beat every OUTBOX_SWEEP_INTERVAL,
             `inkwell outbox sweep`, `inkwell scheduler`)

- `core.outbox.enqueue(task, key, **ids)` only adds a row to the caller's
  transaction (a unique `key`: one row per effect), so work is never lost nor
  asked for by a change that rolled back; views never call `.delay()`. The relay
  runs at app-context teardown rather than in `after_commit`, where the session
  cannot be used and an inline task would re-enter the commit.
- Celery is bound through `celery_init_app`: a task class that enters the Flask
  app's context, `shared_task`s that take ids and strings. At-least-once settings:
  `acks_late`, `reject_on_worker_lost`, prefetch 1, soft and hard time limits
  (longer for publishes), a visibility timeout above the longest task plus its
  retry delay. Queues `mail`, `publish` and `media`. With no broker configured,
  `task_always_eager`: the relay runs each task inline after the commit. The
  worker binds Celery to a base app (configuration, database, mail), not the web app.
- Idempotency: a task claims its row with one UPDATE (a lease, so a duplicate
  delivery skips it) and marks `done_at` in its own transaction; a mail's
  Message-ID is its outbox row's. The one duplicate left is a crash between the
  SMTP server accepting a mail and that commit. The lease lasts the task's hard
  time limit, and a retry's delay while it waits, so the sweeper's short
  OUTBOX_RETRY_AFTER only ever republishes rows no task holds: lost work.
- `mail` sends account mails and invitations (an invitation revoked, replaced,
  accepted or expired before its task runs is not mailed). Transient failures
  (refused or dropped connection, timeout, 4xx, soft time limit) retry after
  exponential delays, jittered over their upper half and capped (MAIL_RETRY_BACKOFF,
  MAIL_RETRY_BACKOFF_MAX, MAIL_MAX_RETRIES), the row held until the retry is due;
  permanent ones (5xx, bad headers, no such user) are logged and close the row
  with `last_error`.
  `core.mail.deliver` sends through Flask-Mail with an smtplib timeout, or writes
  `.eml` files when MAIL_SERVER is empty. Templates (text and HTML) are in
  `templates/mail`; links come from `core.accounts.tokens.LINK_PATHS` and
  APP_HOST, never from a request's Host.
- `media` makes an uploaded image's files (`core.media.processing`): its own
  queue, so a burst of uploads never delays a password reset mail.
- Mirror publishes need no outbox row: their queue is the blog's `mirrors` row
  (`inkwell.platform.core.publishing`). Beat runs the sweeper and `schedule`'s
  tasks (due posts go live, mirror publishes are dispatched, deleted blogs past
  their grace period are purged, post revisions are pruned); `inkwell scheduler`
  runs the same rounds where no beat runs, as under `make run`.
"""
