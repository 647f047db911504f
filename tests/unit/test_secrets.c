/*
 * Unit tests for src/secrets: for EVERY built-in rule, a true sample that
 * must be found and a false one (a near miss: a wrong length, a wrong
 * prefix, a bad checksum, no keyword, a placeholder) that must not. Samples
 * are built at run time from templates and a seeded generator, so no
 * secret-looking literal is in the repository (prefixes are split for the
 * same reason). Then: matches split across chunks at every offset, line
 * numbers, redaction, the validators against published test vectors, and
 * the YAML rule file (custom rules, allow rules, disable, errors).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bulwark/errors.h"
#include "bulwark/secrets.h"
#include "secrets/secrets_int.h"

/* ------------------------------------------------------------ sample generator */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static const char *alphabet(char k)
{
	switch (k) {
	case 'A': return "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	case 'a': return "abcdefghijklmnopqrstuvwxyz";
	case 'L': return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	case 'd': return "0123456789";
	case 'h': return "0123456789abcdef";
	case 'x': return "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	case 'z': return "0123456789abcdefghijklmnopqrstuvwxyz";
	case 'U': return "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	case 'b': return "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/";
	case 'u': return "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-";
	case '2': return "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	}
	return NULL;
}

static void put_random(char **o, char kind, int n)
{
	const char *al = alphabet(kind);
	size_t m = strlen(al);
	for (int i = 0; i < n; i++) {
		char c = al[rnd() % m];
		/* letters and digits both, so entropy and "has digits" checks see a real secret */
		if (i == 0 && strchr(al, 'a') && strchr(al, '0'))
			c = al[10 + rnd() % 26 % (m - 10)];
		else if (i == 1 && strchr(al, '0'))
			c = (char)('0' + rnd() % 10);
		*(*o)++ = c;
	}
}

static void put_str(char **o, const char *s)
{
	size_t n = strlen(s);
	memcpy(*o, s, n);
	*o += n;
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char b64std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_b64(char **o, const char *s, const char *al, bool pad)
{
	size_t n = strlen(s), i;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)s[i] << 16 | (uint32_t)(unsigned char)s[i + 1] << 8 |
			     (unsigned char)s[i + 2];
		for (int k = 3; k >= 0; k--)
			*(*o)++ = al[(v >> (6 * k)) & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)(unsigned char)s[i] << 16;
		*(*o)++ = al[(v >> 18) & 63];
		*(*o)++ = al[(v >> 12) & 63];
		if (pad)
			put_str(o, "==");
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)(unsigned char)s[i] << 16 | (uint32_t)(unsigned char)s[i + 1] << 8;
		*(*o)++ = al[(v >> 18) & 63];
		*(*o)++ = al[(v >> 12) & 63];
		*(*o)++ = al[(v >> 6) & 63];
		if (pad)
			put_str(o, "=");
	}
}

static void put_card(char **o, bool valid)
{
	char d[17];
	for (;;) {
		d[0] = '4';
		for (int i = 1; i < 15; i++)
			d[i] = (char)('0' + rnd() % 10);
		for (char c = '0'; c <= '9'; c++) {
			d[15] = c;
			if (bw_secret_luhn(d, 16))
				goto found;
		}
	}
found:
	if (!valid)
		d[15] = d[15] == '9' ? '0' : (char)(d[15] + 1);
	memcpy(*o, d, 16);
	*o += 16;
}

/* A German IBAN: DE, 2 check digits, 18 digits (bank code + account). */
static void put_iban(char **o, bool valid)
{
	char bban[19], num[64];
	for (int i = 0; i < 18; i++)
		bban[i] = (char)('0' + rnd() % 10);
	bban[18] = '\0';
	/* check digits: 98 - (BBAN + "DE00" as digits) mod 97, D=13 E=14 */
	snprintf(num, sizeof(num), "%s131400", bban);
	unsigned rem = 0;
	for (const char *p = num; *p; p++)
		rem = (rem * 10 + (unsigned)(*p - '0')) % 97;
	unsigned check = 98 - rem;
	if (!valid)
		check = check == 2 ? 3 : check - 1;
	*o += sprintf(*o, "DE%02u%s", check, bban);
}

static void put_gh(char **o, bool valid)
{
	char body[31], sum[7];
	char *b = body;
	put_random(&b, 'x', 30);
	body[30] = '\0';
	bw_secret_gh_checksum(body, 30, sum);
	if (!valid)
		sum[5] = sum[5] == 'a' ? 'b' : 'a';
	put_str(o, body);
	put_str(o, sum);
}

static void put_uuid(char **o)
{
	put_random(o, 'h', 8);
	put_str(o, "-");
	put_random(o, 'h', 4);
	put_str(o, "-");
	put_random(o, 'h', 4);
	put_str(o, "-");
	put_random(o, 'h', 4);
	put_str(o, "-");
	put_random(o, 'h', 12);
}

/*
 * Expands a template: {K:N} N random characters of class K (alphabet()),
 * {gh} / {ghbad} a GitHub-style body with a good / bad CRC-32, {card} /
 * {cardbad} a Visa number passing / failing Luhn, {ssn}, {iban} / {ibanbad},
 * {jwt} / {jwtbad} (header with / without "alg"), {dauth} base64 "user:pass",
 * {uuid}. Returns a malloc'd string.
 */
static char *expand(const char *t)
{
	char *out = calloc(1, 8192), *o = out;
	while (*t) {
		if (*t != '{' || !strchr(t, '}')) {
			*o++ = *t++;
			continue;
		}
		const char *end = strchr(t, '}');
		char spec[32];
		size_t n = (size_t)(end - t - 1);
		if (n == 0 || n >= sizeof(spec)) {
			*o++ = *t++;
			continue;
		}
		memcpy(spec, t + 1, n);
		spec[n] = '\0';
		if (spec[1] == ':' && alphabet(spec[0]))
			put_random(&o, spec[0], atoi(spec + 2));
		else if (!strcmp(spec, "gh"))
			put_gh(&o, true);
		else if (!strcmp(spec, "ghbad"))
			put_gh(&o, false);
		else if (!strcmp(spec, "card"))
			put_card(&o, true);
		else if (!strcmp(spec, "cardbad"))
			put_card(&o, false);
		else if (!strcmp(spec, "iban"))
			put_iban(&o, true);
		else if (!strcmp(spec, "ibanbad"))
			put_iban(&o, false);
		else if (!strcmp(spec, "ssn"))
			o += sprintf(o, "%03u-%02u-%04u", 100 + rnd() % 500, 10 + rnd() % 89, 1000 + rnd() % 8999);
		else if (!strcmp(spec, "uuid"))
			put_uuid(&o);
		else if (!strcmp(spec, "jwt") || !strcmp(spec, "jwtbad")) {
			put_b64(&o, spec[3] ? "{\"typ\":\"JWT\",\"kid\":\"k1\"}" : "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", b64url,
				false);
			put_str(&o, ".");
			char payload[80];
			snprintf(payload, sizeof(payload), "{\"sub\":\"%u\",\"name\":\"user%u\"}", rnd() % 100000, rnd() % 1000);
			put_b64(&o, payload, b64url, false);
			put_str(&o, ".");
			put_random(&o, 'u', 43);
		} else if (!strcmp(spec, "dauth")) {
			char up[64], *u = up;
			put_str(&u, "deploy:");
			put_random(&u, 'x', 18);
			*u = '\0';
			put_b64(&o, up, b64std, true);
		} else {
			*o++ = *t++;
			continue;
		}
		t = end + 1;
	}
	*o = '\0';
	return out;
}

/* ------------------------------------------------------------ the samples */

typedef struct sample {
	const char *rule;
	const char *yes;      /* must be found by this rule */
	const char *no;       /* must not be found by this rule */
	const char *path;     /* NULL: /app/sample.txt */
} sample;

#define PEM_B "-----BEG" "IN "
#define PEM_E "-----EN" "D "
#define DASH5 "-----"

static const sample samples[] = {
	{ "aws-access-key-id", "id = AK" "IA{2:16}\n", "id = AK" "IA{2:15}\n", NULL },
	{ "aws-secret-access-key", "aws_secret_access_key = {b:40}\n", "aws_secret_access_key = {b:39}\n", NULL },
	{ "aws-session-token", "aws_session_token={b:150}\n", "aws_session_token=short{d:10}\n", NULL },
	{ "aws-mws-key", "amzn.mws.{uuid}\n", "amzn.mws.{h:8}-{h:4}-{h:12}\n", NULL },
	{ "gcp-service-account", "{\"type\": \"service_account\", \"private_key_id\": \"{h:40}\"}\n",
	  "{\"type\": \"authorized_user\", \"private_key_id\": \"{h:40}\"}\n", NULL },
	{ "gcp-api-key", "key=AI" "za{u:35}\n", "key=AI" "za{u:30}\n", NULL },
	{ "gcp-oauth-client-secret", "GOC" "SPX-{u:28}\n", "GOC" "SPX-{u:20}\n", NULL },
	{ "azure-storage-connection-string",
	  "DefaultEndpointsProtocol=https;AccountName=acct{d:4};AccountKey={b:86}==\n",
	  "DefaultEndpointsProtocol=https;AccountName=acct{d:4};AccountKey={b:40}==\n", NULL },
	{ "azure-storage-account-key", "azure_storage_key: {b:86}==\n", "azure_storage_key: {b:80}==\n", NULL },
	{ "azure-sas-token", "https://acct.blob.core.windows.net/c?sv=2021-08-06&ss=b&sp=rl&sig={x:44}\n",
	  "https://acct.blob.core.windows.net/c?sv=2021-08-06&ss=b&sp=rl&sig=short\n", NULL },
	{ "azure-ad-client-secret", "value {x:3}8Q~{x:34}\n", "value {x:3}8Q~{x:20}\n", NULL },
	{ "alibaba-access-key-id", "LT" "AI{x:20}\n", "LT" "AI{x:12}\n", NULL },
	{ "digitalocean-pat", "do" "p_v1_{h:64}\n", "do" "p_v1_{h:60}\n", NULL },
	{ "digitalocean-oauth-token", "do" "o_v1_{h:64}\n", "do" "x_v1_{h:64}\n", NULL },
	{ "heroku-api-key", "HEROKU_API_KEY={uuid}\n", "OTHER_API_KEY={uuid}\n", NULL },
	{ "cloudflare-api-token", "CLOUDFLARE_API_TOKEN={x:40}\n", "CLOUDFLARE_API_TOKEN={x:30}\n", NULL },
	{ "hashicorp-vault-token", "hv" "s.{x:95}\n", "hv" "s.{x:50}\n", NULL },
	{ "terraform-cloud-token", "{x:14}.atlas" "v1.{x:65}\n", "{x:10}.atlas" "v1.{x:65}\n", NULL },
	{ "databricks-token", "da" "pi{h:32}\n", "da" "pi{h:31}\n", NULL },
	{ "doppler-token", "dp.p" "t.{x:43}\n", "dp.x" "x.{x:43}\n", NULL },
	{ "ibm-cloud-api-key", "ibm_cloud_api_key = {x:44}\n", "ibm_cloud_api_key = {x:30}\n", NULL },
	{ "github-pat-classic", "token: gh" "p_{gh}\n", "token: gh" "p_{ghbad}\n", NULL },
	{ "github-oauth-token", "token: gh" "o_{gh}\n", "token: gh" "o_{ghbad}\n", NULL },
	{ "github-app-token", "token: gh" "s_{gh}\n", "token: gh" "s_{ghbad}\n", NULL },
	{ "github-refresh-token", "gh" "r_{x:76}\n", "gh" "r_{x:20}\n", NULL },
	{ "github-fine-grained-pat", "github" "_pat_{x:22}_{x:59}\n", "github" "_pat_{x:22}_{x:40}\n", NULL },
	{ "gitlab-pat", "gl" "pat-{x:20}\n", "gl" "pat-{x:12}\n", NULL },
	{ "gitlab-pipeline-trigger-token", "gl" "ptt-{h:40}\n", "gl" "ptt-{h:30}\n", NULL },
	{ "gitlab-runner-token", "gl" "rt-{x:20}\n", "gl" "rt-{x:10}\n", NULL },
	{ "gitlab-runner-registration-token", "GR13" "48941{x:20}\n", "GR13" "48941{x:10}\n", NULL },
	{ "gitlab-deploy-token", "gl" "dt-{x:20}\n", "gl" "dt-{x:5}\n", NULL },
	{ "bitbucket-app-password", "AT" "BB{x:32}\n", "AT" "BB{x:20}\n", NULL },
	{ "bitbucket-client-secret", "BITBUCKET_CLIENT_SECRET={x:64}\n", "BITBUCKET_CLIENT_SECRET={x:30}\n", NULL },
	{ "atlassian-api-token", "AT" "ATT3{u:186}\n", "AT" "ATT3{u:50}\n", NULL },
	{ "circleci-token", "CIRCLE_TOKEN={h:40}\n", "CIRCLE_TOKEN={h:30}\n", NULL },
	{ "travis-ci-token", "TRAVIS_TOKEN={x:22}\n", "TRAVIS_TOKEN={x:10}\n", NULL },
	{ "jenkins-api-token", "JENKINS_API_TOKEN={h:34}\n", "JENKINS_API_TOKEN={h:20}\n", NULL },
	{ "buildkite-agent-token", "bk" "ua_{h:40}\n", "bk" "ua_{h:30}\n", NULL },
	{ "slack-bot-token", "xo" "xb-{d:11}-{d:12}-{x:24}\n", "xo" "xb-{d:11}-{x:24}\n", NULL },
	{ "slack-user-token", "xo" "xp-{d:11}-{d:11}-{d:12}-{h:32}\n", "xo" "xp-{d:11}-{d:12}-{h:32}\n", NULL },
	{ "slack-app-token", "xa" "pp-1-{U:10}-{d:12}-{h:64}\n", "xa" "pp-1-{U:10}-{h:64}\n", NULL },
	{ "slack-webhook", "https://hooks.slack.com/services/T{U:9}/B{U:9}/{x:24}\n",
	  "https://hooks.slack.com/services/T{U:9}/{x:24}\n", NULL },
	{ "discord-bot-token", "DISCORD_BOT_TOKEN=M{u:24}.{u:6}.{u:30}\n", "BOT_TOKEN=M{u:24}.{u:6}.{u:30}\n", NULL },
	{ "discord-webhook", "https://discord.com/api/webhooks/{d:18}/{u:68}\n",
	  "https://discord.com/api/webhooks/{d:18}/{u:20}\n", NULL },
	{ "telegram-bot-token", "{d:10}:A" "A{u:33}\n", "{d:10}:A" "B{u:33}\n", NULL },
	{ "teams-webhook", "https://acme.webhook.office.com/webhookb2/{uuid}@{uuid}/IncomingWebhook/{x:32}/{uuid}\n",
	  "https://acme.webhook.office.com/webhookb2/{uuid}@{uuid}/{x:32}/{uuid}\n", NULL },
	{ "stripe-secret-key", "sk" "_live_{x:24}\n", "sk" "_live_{x:10}\n", NULL },
	{ "stripe-restricted-key", "rk" "_live_{x:24}\n", "rk" "_live_{x:10}\n", NULL },
	{ "stripe-test-secret-key", "sk" "_test_{x:24}\n", "sk" "_test_{x:10}\n", NULL },
	{ "stripe-webhook-secret", "wh" "sec_{x:32}\n", "wh" "sec_{x:20}\n", NULL },
	{ "twilio-api-key", "S" "K{h:32}\n", "S" "K{h:30}\n", NULL },
	{ "twilio-auth-token", "TWILIO_AUTH_TOKEN={h:32}\n", "TWILIO_AUTH_TOKEN={h:20}\n", NULL },
	{ "sendgrid-api-key", "S" "G.{u:22}.{u:43}\n", "S" "G.{u:22}.{u:20}\n", NULL },
	{ "mailgun-api-key", "mailgun_key: ke" "y-{h:32}\n", "api: ke" "y-{h:32}\n", NULL },
	{ "mailchimp-api-key", "{h:32}-u" "s{d:2}\n", "{h:32}-e" "u{d:2}\n", NULL },
	{ "brevo-api-key", "xkey" "sib-{h:64}-{x:16}\n", "xkey" "sib-{h:64}\n", NULL },
	{ "shopify-access-token", "shp" "at_{h:32}\n", "shp" "at_{h:20}\n", NULL },
	{ "shopify-custom-app-token", "shp" "ca_{h:32}\n", "shp" "ca_{h:20}\n", NULL },
	{ "shopify-private-app-token", "shp" "pa_{h:32}\n", "shp" "pa_{h:20}\n", NULL },
	{ "shopify-shared-secret", "shp" "ss_{h:32}\n", "shp" "ss_{h:20}\n", NULL },
	{ "square-access-token", "EA" "AA{u:60}\n", "EA" "AA{u:30}\n", NULL },
	{ "square-legacy-token", "sq0" "atp-{u:22}\n", "sq0" "atp-{u:10}\n", NULL },
	{ "square-oauth-secret", "sq0" "csp-{u:43}\n", "sq0" "csp-{u:20}\n", NULL },
	{ "braintree-access-token", "access_token$pro" "duction${z:16}${h:32}\n", "access_token$sand" "box${z:16}${h:32}\n",
	  NULL },
	{ "openai-api-key", "sk-proj-{x:20}T3Blbk" "FJ{x:20}\n", "sk-proj-{x:20}XXXXXXXX{x:20}\n", NULL },
	{ "anthropic-api-key", "sk-ant-" "api03-{u:93}\n", "sk-ant-" "api03-{u:20}\n", NULL },
	{ "huggingface-token", "h" "f_{L:34}\n", "h" "f_{L:20}\n", NULL },
	{ "datadog-api-key", "DD_API_KEY={h:32}\n", "DD_API_KEY={h:20}\n", NULL },
	{ "newrelic-user-key", "NR" "AK-{U:27}\n", "NR" "AK-{U:20}\n", NULL },
	{ "sentry-user-token", "sntr" "yu_{h:64}\n", "sntr" "yu_{h:40}\n", NULL },
	{ "grafana-service-account-token", "gl" "sa_{x:32}_{h:8}\n", "gl" "sa_{x:32}\n", NULL },
	{ "postman-api-key", "PM" "AK-{h:24}-{h:34}\n", "PM" "AK-{h:24}\n", NULL },
	{ "linear-api-key", "lin" "_api_{x:40}\n", "lin" "_api_{x:30}\n", NULL },
	{ "dropbox-token", "s" "l.{u:135}\n", "s" "l.{u:50}\n", NULL },
	{ "pulumi-token", "pu" "l-{h:40}\n", "pu" "l-{h:30}\n", NULL },
	{ "npm-token", "token=np" "m_{gh}\n", "token=np" "m_{ghbad}\n", NULL },
	{ "npmrc-auth-token", "//registry.npmjs.org/:_auth" "Token={x:36}\n",
	  "//registry.npmjs.org/:_auth" "Token=${NPM_TOKEN}\n", NULL },
	{ "npmrc-auth", "_au" "th = {dauth}\n", "_au" "th = {b:8}\n", NULL },
	{ "pypi-token", "pyp" "i-AgEIcHlwaS5vcmc{u:70}\n", "pyp" "i-AgEIcHlwaS5vcmc{u:20}\n", NULL },
	{ "pypirc-password", "[pypi]\nusername = deploy\npassword = {x:20}\n", "[pypi]\npassword = ${PYPI_PASSWORD}\n",
	  "/root/.pypirc" },
	{ "rubygems-api-key", "ruby" "gems_{h:48}\n", "ruby" "gems_{h:40}\n", NULL },
	{ "nuget-api-key", "o" "y2{z:43}\n", "o" "y2{z:30}\n", NULL },
	{ "dockerhub-pat", "dckr" "_pat_{u:27}\n", "dckr" "_pat_{u:20}\n", NULL },
	{ "docker-config-auth", "{\"auths\": {\"registry.internal\": {\"au" "th\": \"{dauth}\"}}}\n",
	  "{\"auths\": {\"registry.internal\": {\"au" "th\": \"{h:6}\"}}}\n", NULL },
	{ "artifactory-api-key", "AK" "Cp{x:69}\n", "AK" "Cp{x:50}\n", NULL },
	{ "private-key-rsa", PEM_B "RSA PRIVATE KEY" DASH5 "\n{b:64}\n", PEM_B "RSA PRIVATE KEY" DASH5 "\n" PEM_E "RSA\n",
	  NULL },
	{ "private-key-ec", PEM_B "EC PRIVATE KEY" DASH5 "\n{b:64}\n", PEM_B "EC PUBLIC KEY" DASH5 "\n{b:64}\n", NULL },
	{ "private-key-dsa", PEM_B "DSA PRIVATE KEY" DASH5 "\n{b:64}\n", PEM_B "DSA PRIVATE KEY" DASH5 "\n\n", NULL },
	{ "private-key-openssh", PEM_B "OPENSSH PRIVATE KEY" DASH5 "\n{b:64}\n",
	  PEM_B "OPENSSH PRIVATE KEY" DASH5 " (see docs)\n", NULL },
	{ "private-key-pkcs8", "\"private_key\": \"" PEM_B "PRIVATE KEY" DASH5 "\\n{b:64}\\n\"\n",
	  PEM_B "PUBLIC KEY" DASH5 "\n{b:64}\n", NULL },
	{ "private-key-pkcs8-encrypted", PEM_B "ENCRYPTED PRIVATE KEY" DASH5 "\n{b:64}\n",
	  PEM_B "ENCRYPTED PRIVATE KEY" DASH5 "\n\n", NULL },
	{ "private-key-pem-encrypted", PEM_B "RSA PRIVATE KEY" DASH5 "\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{H:32}\n\n{b:64}\n",
	  PEM_B "RSA PRIVATE KEY" DASH5 "\nProc-Type: 4,MIC-ONLY\n", NULL },
	{ "private-key-pgp", PEM_B "PGP PRIVATE KEY BLOCK" DASH5 "\nVersion: 2\n\n{b:64}\n",
	  PEM_B "PGP PUBLIC KEY BLOCK" DASH5 "\n\n{b:64}\n", NULL },
	{ "private-key-putty", "PuTTY-User-Key-File-3: ssh-ed25519\n", "PuTTY-User-Key-File-3: \n", NULL },
	{ "jwt", "Authorization: Bearer {jwt}\n", "Authorization: Bearer {jwtbad}\n", NULL },
	{ "database-url-password", "DATABASE_URL=postgres://app:{x:16}@db.internal:5432/app\n",
	  "DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal:5432/app\n", NULL },
	{ "url-basic-auth", "proxy = https://svc-deploy:{x:16}@proxy.internal:3128\n",
	  "see http://user:pass@host/ or https://user:password@example.com/\n", NULL },
	{ "credit-card", "id,card\n1,{card}\n", "id,card\n1,{cardbad}\n", NULL },
	{ "us-ssn", "name,ssn\nJo,{ssn}\n", "name,ssn\nJo,666-{d:2}-{d:4}\n", NULL },
	{ "iban", "IBAN: {iban}\n", "IBAN: {ibanbad}\n", NULL },
	{ "generic-password", "DB_PASSWORD={x:20}\n", "DB_PASSWORD=changeme\n", NULL },
	{ "generic-secret", "client_secret: {x:24}\n", "client_secret: {a:24}\n", NULL },
	{ "generic-token", "api_token = \"{x:32}\"\n", "api_token = \"${API_TOKEN}\"\n", NULL },
};

/* ------------------------------------------------------------ helpers */

typedef struct found {
	char rule[64][64];
	uint64_t line[64];
	char match[64][SECRETS_REDACTED_MAX + 1];
	size_t n;
} found;

static void scan_with(const secret_engine *e, const char *path, const char *text, size_t piece, found *f)
{
	secret_scanner *sc;
	const secret_hit *hits;
	size_t n, len = strlen(text);

	memset(f, 0, sizeof(*f));
	assert_int_equal(bw_secret_scanner_new(&sc, e), 0);
	assert_int_equal(bw_secret_scanner_begin(sc, path), 0);
	for (size_t off = 0; off < len; off += piece)
		assert_int_equal(bw_secret_scanner_feed(sc, (const uint8_t *)text + off, len - off < piece ? len - off : piece), 0);
	assert_int_equal(bw_secret_scanner_end(sc, &hits, &n), 0);
	for (size_t i = 0; i < n && f->n < 64; i++) {
		snprintf(f->rule[f->n], sizeof(f->rule[0]), "%s", bw_secret_engine_rule(e, hits[i].rule)->id);
		f->line[f->n] = hits[i].line;
		memcpy(f->match[f->n], hits[i].match, sizeof(f->match[0]));
		f->n++;
	}
	bw_secret_scanner_free(sc);
}

static int has_rule(const found *f, const char *rule)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->rule[i], rule))
			return (int)i;
	return -1;
}

static secret_engine *eng;

static int setup(void **state)
{
	(void)state;
	return bw_secret_engine_new(&eng, NULL, 0);
}

static int teardown(void **state)
{
	(void)state;
	bw_secret_engine_free(eng);
	return 0;
}

/* ------------------------------------------------------------ tests */

static void test_every_rule_has_samples(void **state)
{
	(void)state;
	assert_true(bw_secret_builtin_count >= 80);
	for (size_t i = 0; i < bw_secret_builtin_count; i++) {
		bool ok = false;
		for (size_t k = 0; k < sizeof(samples) / sizeof(samples[0]) && !ok; k++)
			ok = !strcmp(samples[k].rule, bw_secret_builtin_rules[i].id);
		if (!ok)
			fail_msg("rule %s has no true/false sample", bw_secret_builtin_rules[i].id);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(bw_secret_builtin_rules[k].id, bw_secret_builtin_rules[i].id))
				fail_msg("two rules are called %s", bw_secret_builtin_rules[i].id);
	}
}

static void test_samples(void **state)
{
	(void)state;
	size_t failures = 0;
	for (size_t k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
		const sample *s = &samples[k];
		const char *path = s->path ? s->path : "/app/sample.txt";
		found f;
		for (int round = 0; round < 3; round++) {
			rng_state = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)k << 20) ^ (uint64_t)round;
			char *yes = expand(s->yes), *no = expand(s->no);
			scan_with(eng, path, yes, 1 << 20, &f);
			int at = has_rule(&f, s->rule);
			if (at < 0) {
				fprintf(stderr, "# %s: true sample %d not found (%zu other hits%s%s)\n", s->rule, round, f.n,
					f.n ? ", first " : "", f.n ? f.rule[0] : "");
				failures++;
			} else if (strstr(yes, f.match[at]) && strlen(f.match[at]) > 8) {
				fprintf(stderr, "# %s: the match is not redacted\n", s->rule);
				failures++;
			}
			scan_with(eng, path, no, 1 << 20, &f);
			if (has_rule(&f, s->rule) >= 0) {
				fprintf(stderr, "# %s: false sample %d found\n", s->rule, round);
				failures++;
			}
			free(yes);
			free(no);
		}
	}
	assert_int_equal(failures, 0);
}

/* A secret split across pieces at every offset, and with pieces of one byte. */
static void test_chunk_boundaries(void **state)
{
	(void)state;
	rng_state = 42;
	char *text = expand("line one\nline two\nkey: gh" "p_{gh}\nline four\nAK" "IA{2:16}\n");
	size_t len = strlen(text);
	for (size_t piece = 1; piece <= len; piece++) {
		found f;
		scan_with(eng, "/x", text, piece, &f);
		int a = has_rule(&f, "github-pat-classic"), b = has_rule(&f, "aws-access-key-id");
		if (a < 0 || b < 0)
			fail_msg("piece size %zu: not found", piece);
		assert_int_equal(f.line[a], 3);
		assert_int_equal(f.line[b], 5);
	}
	free(text);
}

/* Lines are counted across many chunks: a secret on line 200001 of a 3 MB file. */
static void test_line_numbers_far(void **state)
{
	(void)state;
	size_t lines = 200000;
	char *big = malloc(lines * 16 + 256), *o = big;
	for (size_t i = 0; i < lines; i++)
		o += sprintf(o, "row %010zu\n", i);
	rng_state = 7;
	char *tail = expand("password = {x:20}\n");
	strcpy(o, tail);
	found f;
	scan_with(eng, "/x", big, 65536, &f);
	int at = has_rule(&f, "generic-password");
	assert_true(at >= 0);
	assert_int_equal(f.line[at], lines + 1);
	free(tail);
	free(big);
}

static void test_redaction(void **state)
{
	(void)state;
	char out[SECRETS_REDACTED_MAX + 1];
	bw_secret_redact("AKIAIOSFODNN7EXAMPL", 19, out, sizeof(out));
	assert_string_equal(out, "AK***************PL");
	bw_secret_redact("abcdefghijklmnopqrstuvwxyz", 26, out, sizeof(out));
	assert_string_equal(out, "abcd******************wxyz");
	bw_secret_redact("short", 5, out, sizeof(out));
	assert_string_equal(out, "*****");
	bw_secret_redact("12345678", 8, out, sizeof(out));
	assert_string_equal(out, "1******8");
	/* long secrets are cut: never more than SECRETS_REDACTED_MAX characters */
	char longs[300];
	memset(longs, 'q', sizeof(longs));
	bw_secret_redact(longs, sizeof(longs), out, sizeof(out));
	assert_int_equal(strlen(out), SECRETS_REDACTED_MAX);
	assert_int_equal(strspn(out + 4, "*"), SECRETS_REDACTED_MAX - 8);
}

static void test_validators(void **state)
{
	(void)state;
	/* Luhn: the classic test vector; issuer ranges */
	assert_true(bw_secret_luhn("79927398713", 11));
	assert_false(bw_secret_luhn("79927398710", 11));
	assert_true(bw_secret_card_ok("4111 1111 1111 1111", 19)); /* format check passes; the allow list is elsewhere */
	assert_false(bw_secret_card_ok("1234567812345670", 16));    /* no issuer starts with 1 */
	assert_false(bw_secret_card_ok("4111111111111", 13) && false);
	/* SSN ranges (SSA): area 000, 666, 9xx; group 00; serial 0000 are never issued */
	assert_true(bw_secret_ssn_ok("536-22-1234", 11));
	assert_false(bw_secret_ssn_ok("000-22-1234", 11));
	assert_false(bw_secret_ssn_ok("666-22-1234", 11));
	assert_false(bw_secret_ssn_ok("912-22-1234", 11));
	assert_false(bw_secret_ssn_ok("536-00-1234", 11));
	assert_false(bw_secret_ssn_ok("536-22-0000", 11));
	assert_false(bw_secret_ssn_ok("078-05-1120", 11));
	/* IBAN (ISO 13616): the spec's example checks out, but it is a documentation example */
	assert_false(bw_secret_iban_ok("GB82 WEST 1234 5698 7654 32", 27));
	assert_false(bw_secret_iban_ok("GB82WEST12345698765433", 22));
	assert_false(bw_secret_iban_ok("DE8937040044053201300", 21)); /* a digit short for DE */
	rng_state = 99;
	char *iban = expand("{iban}"), *bad = expand("{ibanbad}");
	assert_true(bw_secret_iban_ok(iban, strlen(iban)));
	assert_false(bw_secret_iban_ok(bad, strlen(bad)));
	free(iban);
	free(bad);
	/* entropy: a constant has none, 16 distinct symbols have 4 bits */
	assert_true(bw_secret_entropy("aaaaaaaa", 8) < 0.01);
	assert_true(bw_secret_entropy("0123456789abcdef", 16) > 3.99);
	assert_true(bw_secret_placeholder("${TOKEN}", 8));
	assert_true(bw_secret_placeholder("changeme", 8));
	assert_false(bw_secret_placeholder("Wq9zV2m1", 8));
	assert_true(bw_secret_jwt_ok("eyJhbGciOiJIUzI1NiJ9.e30.x", 26));
	assert_false(bw_secret_jwt_ok("eyJ0eXAiOiJKV1QifQ.e30.x", 24));
	assert_true(bw_secret_binary_head((const uint8_t *)"\x7f" "ELF\x02\x01", 6));
	assert_true(bw_secret_binary_head((const uint8_t *)"abc\0def", 7));
	assert_false(bw_secret_binary_head((const uint8_t *)"plain text\n", 11));
}

/* Generic rules give way to a specific rule on the same value; documentation examples are allowed. */
static void test_dedupe_and_allow(void **state)
{
	(void)state;
	found f;
	rng_state = 5;
	char *t = expand("API_TOKEN=gl" "pat-{x:20}\n");
	scan_with(eng, "/app/.env", t, 1 << 20, &f);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.rule[0], "gitlab-pat");
	/* the same secret in documentation is not reported */
	scan_with(eng, "/usr/share/doc/app/README", t, 1 << 20, &f);
	assert_int_equal(f.n, 0);
	free(t);
	/* AWS's documentation key */
	scan_with(eng, "/x", "AK" "IAIOSFODNN7" "EXAMPLE\n", 1 << 20, &f);
	assert_int_equal(f.n, 0);
	/* published test card numbers */
	scan_with(eng, "/x", "card: 4111" "1111" "1111" "1111\n", 1 << 20, &f);
	assert_int_equal(f.n, 0);
	/* a number in a table of numbers is not a card */
	scan_with(eng, "/x", "5211 5212 5213 5214 5215 5216\n", 1 << 20, &f);
	assert_int_equal(f.n, 0);
}

static void test_config(void **state)
{
	(void)state;
	bw_secrets_config *cfg = NULL;
	secret_engine *e = NULL;
	found f;
	static const char yaml[] =
		"rules:\n"
		"  - id: internal-token\n"
		"    regex: 'itk_[a-z0-9]{32}'\n"
		"    severity: CRITICAL\n"
		"    category: internal\n"
		"    keywords: [itk]\n"
		"    path: '/srv/*'\n"
		"allow:\n"
		"  - id: fixtures\n"
		"    paths: ['/srv/fixtures/*']\n"
		"  - id: known-test-key\n"
		"    regex: '^gl" "pat-TEST'\n"
		"    rules: [gitlab-pat]\n"
		"disable: [jwt]\n";

	assert_int_equal(bw_secrets_config_parse(&cfg, "cfg.yaml", yaml, strlen(yaml)), 0);
	assert_int_equal(bw_secret_engine_new(&e, cfg, 0), 0);
	bw_secrets_config_free(cfg); /* the engine keeps its own copy */
	rng_state = 11;
	char *t = expand("x = itk_{h:32}\n");
	scan_with(e, "/srv/app/conf", t, 1 << 20, &f);
	assert_true(has_rule(&f, "internal-token") >= 0);
	scan_with(e, "/etc/conf", t, 1 << 20, &f); /* outside the rule's path */
	assert_true(has_rule(&f, "internal-token") < 0);
	scan_with(e, "/srv/fixtures/conf", t, 1 << 20, &f); /* allowed path */
	assert_int_equal(f.n, 0);
	free(t);
	t = expand("a: gl" "pat-TEST{x:16}\nb: gl" "pat-{x:20}\nc: {jwt}\n");
	scan_with(e, "/srv/app/conf", t, 1 << 20, &f);
	assert_int_equal(f.n, 1); /* the TEST token is allowed, the JWT rule is off */
	assert_int_equal(f.line[0], 2);
	free(t);
	bw_secret_engine_free(e);

	/* errors: one line, BW_EUSAGE, naming the file, line and key */
	static const struct { const char *doc, *want; } bad[] = {
		{ "rules:\n  - id: x\n    regex: 'a+'\n    severity: URGENT\n", "cfg.yaml:4: rule x: severity" },
		{ "rules:\n  - {id: x, regex: 'a', colour: red}\n", "unknown key \"colour\"" },
		{ "rules:\n  - {id: x}\n", "regex: missing" },
		{ "allow:\n  - {id: y}\n", "wants at least one of" },
		{ "disable: [no-such-rule]\n", "is not a built-in rule" },
		{ "rules: 3\n", "wants a list" },
		{ "allow:\n  - {id: y, paths: ['[']}\n", "paths" },
		{ "rules:\n  - {id: 'a b', regex: x}\n", "id: wants" },
		{ "rules:\n  - {id: x, regex: x, entropy: '9'}\n", "entropy" },
		{ "- a\n", "wants a mapping" },
		{ "rules: [\n", "cfg.yaml" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg = (bw_secrets_config *)1;
		int rc = bw_secrets_config_parse(&cfg, "cfg.yaml", bad[i].doc, strlen(bad[i].doc));
		assert_int_equal(rc, BW_EUSAGE);
		assert_null(cfg);
		if (!strstr(bw_error_last()->message, bad[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, bw_error_last()->message, bad[i].want);
		assert_null(strchr(bw_error_last()->message, '\n'));
	}
	/* a custom regex Hyperscan refuses is a usage error naming the rule */
	static const char backref[] = "rules:\n  - {id: br, regex: '(a)\\1'}\n";
	assert_int_equal(bw_secrets_config_parse(&cfg, "cfg.yaml", backref, strlen(backref)), 0);
	assert_int_equal(bw_secret_engine_new(&e, cfg, 0), BW_EUSAGE);
	assert_non_null(strstr(bw_error_last()->message, "secret rule br"));
	bw_secrets_config_free(cfg);
}

/* The public buffer API uses the current rule set. */
static int count_cb(const bw_secret *s, void *ctx)
{
	(*(int *)ctx)++;
	assert_non_null(s->match);
	return 0;
}

static void test_public_api(void **state)
{
	(void)state;
	int n = 0;
	rng_state = 3;
	char *t = expand("x: gh" "p_{gh}\ny: {card}\n");
	assert_int_equal(bw_secrets_setup(NULL), 0);
	assert_true(bw_secrets_rule_count() >= 80);
	assert_int_equal(bw_secrets_scan_buffer("/a", t, strlen(t), count_cb, &n), 0);
	assert_int_equal(n, 2);
	bw_secret_rule_info info;
	assert_int_equal(bw_secrets_rule_at(0, &info), 0);
	assert_non_null(info.id);
	assert_int_equal(bw_secrets_rule_at(100000, &info), BW_EUSAGE);
	free(t);
}

/* The compiled-database cache: written once, loaded after, a corrupt file is recompiled. */
static void test_cache(void **state)
{
	(void)state;
	char dir[] = "/tmp/bw-secrets-cache-XXXXXX", cmd[256], path[512];
	secret_engine *e = NULL;
	found f;
	assert_non_null(mkdtemp(dir));
	setenv("XDG_CACHE_HOME", dir, 1);
	rng_state = 21;
	char *t = expand("k: gh" "p_{gh}\n");
	for (int round = 0; round < 3; round++) {
		assert_int_equal(bw_secret_engine_new(&e, NULL, 0), 0);
		scan_with(e, "/x", t, 7, &f);
		assert_int_equal(f.n, 1);
		assert_string_equal(f.rule[0], "github-pat-classic");
		bw_secret_engine_free(e);
		/* one database file, then garbage in it: the next engine must not care */
		snprintf(cmd, sizeof(cmd), "ls %s/bulwark/secrets/*.hsdb 2>/dev/null | wc -l", dir);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(path, sizeof(path), p));
		pclose(p);
		assert_int_equal(atoi(path), 1);
		snprintf(cmd, sizeof(cmd), "for f in %s/bulwark/secrets/*.hsdb; do head -c %d /dev/urandom >\"$f\"; done",
			 dir, round == 0 ? 0 : 5000);
		if (round < 2)
			assert_int_equal(system(cmd), 0);
	}
	free(t);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	unsetenv("XDG_CACHE_HOME");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_rule_has_samples),
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_chunk_boundaries),
		cmocka_unit_test(test_line_numbers_far),
		cmocka_unit_test(test_redaction),
		cmocka_unit_test(test_validators),
		cmocka_unit_test(test_dedupe_and_allow),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_public_api),
		cmocka_unit_test(test_cache),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
