"""Images in posts: a blog's media library.

- `library`: the API every entry point calls: `accept_upload` (checks the whole
  upload, keeps it, queues its processing), `set_alt`, `delete_media`,
  `posts_using`, `media_in_use`, `markdown_reference`, `variant_url`.
- `images`: the Pillow work (what a file is; the original and the variants made
  of it, EXIF orientation applied and every piece of metadata dropped).
- `processing`: the `media` queue's work on one image (`inkwell.workers.media`).
- `serving`: one stored file of the current blog by its name, for the blog host's
  `/media/<file>` and the dashboard's preview.

Files live in the storage area `media` (MEDIA_URL: a folder, or S3) under the
blog's UUID, named `<content hash>-<width>.<ext>` and never changed, so they are
served as immutable. Posts refer to an image as `![alt](media:<id>)`;
`content.images` renders that at save time (it sits below this package, since
rendering is content's). An image's bytes (original and variants) count in the
blog's storage quota; a purge clears the area with the others.
"""
