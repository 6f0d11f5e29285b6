// CloudFront Function (viewer request) for a distribution whose origin is the
// private mirror bucket (OAC, cloudfront-bucket-policy.json): each blog's host
// is served from <prefix>/<blog uuid>/ in the bucket. Keep HOSTS in step with
// the blogs' verified hosts (the query in
// infra/nginx/snippets/inkwell-mirror-hosts.map) and republish the function.
var PREFIX = '/mirrors';
var HOSTS = {
    'alice.example.page': '0b6f3c2e-8d1a-4f7e-9a51-2c4d6e8f0a1b',
};

function handler(event) {
    var request = event.request;
    var host = request.headers.host ? request.headers.host.value.toLowerCase() : '';
    var uuid = HOSTS[host];
    if (!uuid) {
        return { statusCode: 404, statusDescription: 'Not Found' };
    }
    var uri = request.uri;
    if (uri.endsWith('/')) {
        // The bucket's REST endpoint has no index documents.
        uri += 'index.html';
    } else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) {
        // A page without its trailing slash: redirect, so its relative links resolve.
        return {
            statusCode: 301,
            statusDescription: 'Moved Permanently',
            headers: { location: { value: uri + '/' } },
        };
    }
    request.uri = PREFIX + '/' + uuid + uri;
    return request;
}
