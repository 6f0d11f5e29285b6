"""Custom domains: a blog's own names besides its platform subdomain.

An owner adds a domain (`names.normalize`: typed as they like, stored lowercase
ASCII, an IDN as punycode, shown as Unicode) and proves it is theirs with a TXT
record `_inkwell-verify.<domain>` holding the domain's token (`verification`,
dnspython, the resolver of DNS_RESOLVER); only then does it serve (`tenants.hosts`
finds verified hosts only). A domain verified by one blog is never another's;
unverified claims of the same name by other blogs block nobody (`registry`).

One host of a blog is primary: absolute URLs (canonical, feeds, sitemap, comment
threads, the mirror) are built on it (`core.hosts.blog_url`) and every other host
of the blog answers 301 to it (`tenants.fast_path`). Removing the primary makes the
platform subdomain primary again; the subdomain itself cannot be removed. A change
of primary is a `content_changed(..., "domains")`: cached pages drop and the
mirror is built again with the new URLs. Adding, verifying, choosing the primary
and removing are recorded in the audit log. An unverified claim lasts
DOMAIN_CLAIM_DAYS: the periodic job removes older ones, audited (`expiry`).
Operators see every blog's domains in the console and `inkwell domains`.

`tls.allowed` answers the on-demand TLS server's question (`infra/caddy`): a
certificate only for a verified domain of an active blog, with one read.
Suspension stops a blog's domains with the rest of it (410); a purge deletes them.
"""
