/* poolctl's RESTCONF transport over libcurl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "control/poolctl_error.h"
#include "control/poolctl_http.h"

#define TIMEOUT_S 30L

static size_t body_append(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct poolctl_reply *reply = userdata;
	size_t n = size * nmemb;
	char *grown = realloc(reply->body, reply->len + n + 1);

	if (!grown)
		return 0; /* libcurl fails the transfer with CURLE_WRITE_ERROR */
	memcpy(grown + reply->len, data, n);
	reply->len += n;
	grown[reply->len] = '\0';
	reply->body = grown;
	return n;
}

static void etag_copy(char *dst, size_t dstlen, const char *value, size_t len)
{
	while (len && (value[len - 1] == '\r' || value[len - 1] == '\n' || value[len - 1] == ' '))
		len--;
	if (len >= dstlen)
		len = dstlen - 1;
	memcpy(dst, value, len);
	dst[len] = '\0';
}

static size_t header_seen(char *line, size_t size, size_t nmemb, void *userdata)
{
	struct poolctl_reply *reply = userdata;
	static const char name[] = "ETag:";
	size_t n = size * nmemb, skip = sizeof(name) - 1;

	if (n > skip && !strncasecmp(line, name, skip)) {
		while (skip < n && line[skip] == ' ')
			skip++;
		etag_copy(reply->etag, sizeof(reply->etag), line + skip, n - skip);
	}
	return n;
}

static const char *endpoint_name(const struct poolctl_endpoint *ep)
{
	return ep->tcp ? ep->tcp : ep->unix_path;
}

/* The URL's host is only a Host header over a unix socket. */
static void url_build(const struct poolctl_endpoint *ep, const char *target, char *url,
		      size_t len)
{
	snprintf(url, len, "http://%s%s", ep->tcp ? ep->tcp : "localhost", target);
}

static struct curl_slist *headers_build(const struct poolctl_endpoint *ep, const char *method,
					const char *body)
{
	struct curl_slist *h = curl_slist_append(NULL, "Accept: " POOLCTL_MEDIA_JSON);
	char if_match[128];

	if (body)
		h = curl_slist_append(h, "Content-Type: " POOLCTL_MEDIA_JSON);
	if (ep->if_match && strcmp(method, "GET")) {
		snprintf(if_match, sizeof(if_match), "If-Match: %s", ep->if_match);
		h = curl_slist_append(h, if_match);
	}
	/* libcurl would wait a second for "100 Continue" before a large body. */
	return curl_slist_append(h, "Expect:");
}

static CURLcode transfer(CURL *curl, const struct poolctl_endpoint *ep, const char *method,
			 const char *target, const char *body, size_t body_len,
			 struct poolctl_reply *reply)
{
	struct curl_slist *headers = headers_build(ep, method, body);
	char url[4096];
	CURLcode rc;

	url_build(ep, target, url, sizeof(url));
	curl_easy_setopt(curl, CURLOPT_URL, url);
	if (!ep->tcp)
		curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, ep->unix_path);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, body_append);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_seen);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, reply);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, TIMEOUT_S);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
	curl_slist_free_all(headers);
	return rc;
}

int poolctl_request(const struct poolctl_endpoint *ep, const char *method, const char *target,
		    const char *body, size_t body_len, struct poolctl_reply *reply)
{
	CURL *curl = curl_easy_init();
	CURLcode rc;

	memset(reply, 0, sizeof(*reply));
	if (!curl) {
		fprintf(stderr, "poolctl: cannot initialise libcurl\n");
		return POOLCTL_SERVER;
	}
	rc = transfer(curl, ep, method, target, body, body_len, reply);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK) {
		poolctl_reply_free(reply);
		fprintf(stderr, "poolctl: cannot reach poolnetd at %s: %s\n", endpoint_name(ep),
			curl_easy_strerror(rc));
		fprintf(stderr, "poolctl: is poolnetd running? (--socket PATH, POOLNET_SOCKET or "
				"--tcp HOST:PORT select another one)\n");
		return POOLCTL_UNREACHABLE;
	}
	if (!reply->body) {
		reply->body = strdup("");
		if (!reply->body)
			return POOLCTL_SERVER;
	}
	return POOLCTL_OK;
}

void poolctl_reply_free(struct poolctl_reply *reply)
{
	free(reply->body);
	reply->body = NULL;
	reply->len = 0;
}

int poolctl_reply_check(const struct poolctl_reply *reply)
{
	if (reply->status >= 200 && reply->status < 300)
		return POOLCTL_OK;
	poolctl_errors_print(reply->status, reply->body);
	return reply->status >= 400 && reply->status < 500 ? POOLCTL_REFUSED : POOLCTL_SERVER;
}

int poolctl_call(const struct poolctl_endpoint *ep, const char *method, const char *target,
		 const char *body, size_t body_len, struct poolctl_reply *reply)
{
	int rc = poolctl_request(ep, method, target, body, body_len, reply);

	if (rc != POOLCTL_OK)
		return rc;
	rc = poolctl_reply_check(reply);
	if (rc != POOLCTL_OK)
		poolctl_reply_free(reply);
	return rc;
}
