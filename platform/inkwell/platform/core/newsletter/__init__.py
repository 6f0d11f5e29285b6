"""Email subscriptions to a blog and the delivery of its posts.

- `subscribers`: the reader's side (subscribe with a confirmation mail, confirm,
  unsubscribe by a link's token, which names its blog) and the owner's (count,
  list, remove, CSV export and import). An address is only ever read within its
  blog's scope: `Subscriber` is tenant content.
- `sends`: a post that goes live with "email this post" ticked gets one
  `NewsletterSend` (unique per post, so never mailed twice) and an outbox row in
  the change's own transaction; the worker (`inkwell.workers.newsletter`) plans
  one `Delivery` per confirmed subscriber (unique per send and subscriber), then
  claims them in batches and marks each sent once the SMTP server accepted it.
"""
