"""Static mirrors: every blog also published as static files, which serve readers
when the app cannot (nginx's fallback, or S3 and a CDN alone).

    change:   content.changes.changed ─► mirrors.changed_at = now   (the change's transaction)
    request:  mirrors.request_publish: requested_seq += 1           (the caller's transaction)
    dispatch (celery beat every MIRROR_DISPATCH_INTERVAL, or `inkwell scheduler`):
      request_stale: active blogs whose content_version passed the mirror's,
                     quiet for MIRROR_DEBOUNCE s ─► request_publish  (MIRROR_AUTO_PUBLISH)
      to_dispatch:   open requests, no publish running, publishes left this hour
                     ─► publish task (queue `publish`; inline without a broker)
    publish (inkwell.workers.publish):
      claim the blog's lock (one UPDATE: a lease + a holder token) ─► freeze ─► sync
      ─► release (done_seq = the seq seen at claim); requests that came meanwhile
      leave requested_seq > done_seq ─► the same loop runs once more
      a thread renews the lease every MIRROR_LEASE / 3 while the publish runs
    a worker dies mid-publish (killed, out of memory):
      its lease lapses within MIRROR_LEASE, its request is still open ─► dispatched
      again ─► the next claim finds its run "running": marks it failed
      ("interrupted") and publishes in full, listing the target

- `mirrors` keeps one row per blog: the request counters, the lock (a short
  lease, MIRROR_LEASE, that the running publish renews, and its holder's token,
  which every write of a publish to the row checks, so one that lost the lock
  stops instead of racing the next), the content version on the mirror, the
  manifest (key -> SHA-256 and Content-Type) and the snapshot the pages were built
  from. The row is the outbox of publishes: a request commits with the change that
  wants it, and coalesces with the others.
- Freezing (`inkwell.tenants.mirror`) renders the pages a change touched, or all of
  them, into `instance/mirror-builds/<uuid>/<run id>/`, with relative links so the
  mirror works from disk and under any prefix.
- Syncing (`inkwell.workers.mirror_sync`) uploads only what differs from the
  manifest, in an order that keeps the mirror coherent while it changes, deletes
  stale keys only after every upload succeeded: the pages of withdrawn content
  always, other keys never most of the mirror, and nothing when the build lacks a
  page that should exist (unless forced); on failure it records exactly what the
  target holds. Before its first upload it records the keys it is about to change
  as unknown, so even a sync killed mid-way leaves a manifest the next full
  publish can repair from.
- Targets (`storage`): a folder (files hard-linked from the build, then renamed into
  place: atomic, no copy) or S3 through boto3 (MIRROR_ENDPOINT_URL for S3-compatible
  stores; botocore's standard retries for throttling and 5xx); both refuse keys that
  would leave `<prefix>/<blog uuid>/`.
- `PublishRun` rows (tenant content) hold each publish's progress (pages built,
  uploaded, skipped, deleted, bytes; phase "done" once it succeeded, else the phase
  it stopped in) and then its history: the dashboard's mirror page polls them as
  `status.json`, and `inkwell publish` shows them as progress bars.

Only active blogs publish: dispatch and `request_stale` take active blogs only, the
worker runs nothing for another (its requests wait for a restore) and `inkwell
publish` refuses it; the last published mirror stays where it is until a purge.
After a failure, the next automatic publish waits MIRROR_RETRY_AFTER; publishes per
hour are limited (`limits.quotas`), except an operator's `inkwell publish`.
"""
