/*
 * secrets/rules.c: the built-in rule table. Each rule is one expression of
 * the Hyperscan database (engine.c); capture group 1, when the regex has one,
 * is the secret itself (what is validated and redacted). Token formats are
 * the vendors' published ones; end delimiters are explicit so that a match
 * has one end offset (Hyperscan reports every end). Order matters once: when
 * two rules find the same secret, the earlier one is kept.
 *
 * tests/unit/test_secrets.c builds a true and a false sample for every rule.
 */
#include "secrets/secrets_int.h"

/* what may follow a token made of these characters */
#define END_ALNUM "(?:[^A-Za-z0-9]|$)"
#define END_TOK   "(?:[^A-Za-z0-9_-]|$)"
#define END_B64   "(?:[^A-Za-z0-9+/=]|$)"
#define END_VAL   "(?:[\\s\"'`;,<>]|$)"
/* NAME = value, NAME: value, NAME := value, "NAME": "value", NAME => value */
#define ASSIGN    "[\"']?[ \\t]*(?::=|=>|:|=)[ \\t]*[\"']?"
#define VALUE     "[^\\s\"'`;,<>()\\[\\]{}]"
#define PEM_NL    "(?:\\r?\\n|\\\\n)"
#define HEX32     "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

#define R(id, cat, sev, title, re, val, kw, path, ent) \
	{ id, cat, sev, title, re, val, kw, path, ent }

const secret_rule bw_secret_builtin_rules[] = {
	/* ---------------------------------------------------------------- cloud */
	R("aws-access-key-id", "cloud", "CRITICAL", "AWS access key ID",
	  "\\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\\b", VAL_NONE, NULL, NULL, 2.5),
	R("aws-secret-access-key", "cloud", "CRITICAL", "AWS secret access key",
	  "(?i)aws_?secret_?(?:access_?)?key" ASSIGN "([A-Za-z0-9/+]{40})" END_B64, VAL_ENTROPY, NULL, NULL, 3.5),
	R("aws-session-token", "cloud", "HIGH", "AWS session token",
	  "(?i)aws_?session_?token" ASSIGN "([A-Za-z0-9/+=]{100,})" END_B64, VAL_ENTROPY, NULL, NULL, 4.0),
	R("aws-mws-key", "cloud", "HIGH", "Amazon MWS auth token",
	  "\\b(amzn\\.mws\\." HEX32 ")\\b", VAL_NONE, NULL, NULL, 0),
	R("gcp-service-account", "cloud", "CRITICAL", "GCP service account key (private_key_id)",
	  "\"private_key_id\"[ \\t]*:[ \\t]*\"([0-9a-f]{40})\"", VAL_NONE, "service_account", NULL, 3.0),
	R("gcp-api-key", "cloud", "HIGH", "Google API key",
	  "\\b(AIza[0-9A-Za-z_-]{35})" END_TOK, VAL_NONE, NULL, NULL, 3.0),
	R("gcp-oauth-client-secret", "cloud", "HIGH", "Google OAuth client secret",
	  "\\b(GOCSPX-[0-9A-Za-z_-]{28})" END_TOK, VAL_NONE, NULL, NULL, 3.0),
	R("azure-storage-connection-string", "cloud", "CRITICAL", "Azure storage connection string with account key",
	  "(?i)DefaultEndpointsProtocol=https?;AccountName=[a-z0-9]{3,24};AccountKey=([A-Za-z0-9+/]{86}==)",
	  VAL_NONE, NULL, NULL, 4.0),
	R("azure-storage-account-key", "cloud", "HIGH", "Azure storage account key",
	  "(?i)(?:AccountKey|azure_?storage_?(?:account_?)?key)" ASSIGN "([A-Za-z0-9+/]{86}==)", VAL_NONE, NULL, NULL, 4.0),
	R("azure-sas-token", "cloud", "HIGH", "Azure shared access signature",
	  "\\bsv=20[0-9]{2}-[0-9]{2}-[0-9]{2}&[^\\s\"'<>]{0,}sig=([A-Za-z0-9%/+]{40,})", VAL_NONE, NULL, NULL, 3.5),
	R("azure-ad-client-secret", "cloud", "HIGH", "Azure AD (Entra ID) client secret",
	  "(?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|$)",
	  VAL_NONE, NULL, NULL, 3.5),
	R("alibaba-access-key-id", "cloud", "HIGH", "Alibaba Cloud AccessKey ID",
	  "\\b(LTAI[A-Za-z0-9]{20})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("digitalocean-pat", "cloud", "HIGH", "DigitalOcean personal access token",
	  "\\b(dop_v1_[a-f0-9]{64})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("digitalocean-oauth-token", "cloud", "HIGH", "DigitalOcean OAuth or refresh token",
	  "\\b(do[or]_v1_[a-f0-9]{64})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("heroku-api-key", "cloud", "HIGH", "Heroku API key",
	  "(?i)heroku[a-z0-9_ .-]{0,20}" ASSIGN "(" HEX32 ")\\b", VAL_NONE, NULL, NULL, 3.0),
	R("cloudflare-api-token", "cloud", "HIGH", "Cloudflare API token",
	  "(?i)cloudflare[a-z0-9_ .-]{0,20}" ASSIGN "([A-Za-z0-9_-]{40})" END_TOK, VAL_ENTROPY, NULL, NULL, 3.5),
	R("hashicorp-vault-token", "cloud", "HIGH", "HashiCorp Vault service token",
	  "\\b(hvs\\.[A-Za-z0-9_-]{90,})" END_TOK, VAL_NONE, NULL, NULL, 3.5),
	R("terraform-cloud-token", "cloud", "HIGH", "Terraform Cloud / Enterprise API token",
	  "\\b([A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,})" END_TOK, VAL_NONE, NULL, NULL, 3.5),
	R("databricks-token", "cloud", "HIGH", "Databricks API token",
	  "\\b(dapi[a-f0-9]{32})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("doppler-token", "cloud", "HIGH", "Doppler service token",
	  "\\b(dp\\.(?:pt|st|sa|ct)\\.[A-Za-z0-9]{40,44})\\b", VAL_NONE, NULL, NULL, 3.5),
	R("ibm-cloud-api-key", "cloud", "HIGH", "IBM Cloud API key",
	  "(?i)ibm[a-z0-9_ .-]{0,20}api_?key" ASSIGN "([A-Za-z0-9_-]{44})" END_TOK, VAL_ENTROPY, NULL, NULL, 3.5),

	/* ------------------------------------------------------------- VCS and CI */
	R("github-pat-classic", "vcs", "CRITICAL", "GitHub personal access token (classic)",
	  "\\b(ghp_[A-Za-z0-9]{36})\\b", VAL_GH_CRC32, NULL, NULL, 0),
	R("github-oauth-token", "vcs", "CRITICAL", "GitHub OAuth access token",
	  "\\b(gho_[A-Za-z0-9]{36})\\b", VAL_GH_CRC32, NULL, NULL, 0),
	R("github-app-token", "vcs", "CRITICAL", "GitHub App user-to-server or installation token",
	  "\\b((?:ghu|ghs)_[A-Za-z0-9]{36})\\b", VAL_GH_CRC32, NULL, NULL, 0),
	R("github-refresh-token", "vcs", "HIGH", "GitHub App refresh token",
	  "\\b(ghr_[A-Za-z0-9]{36,})\\b", VAL_NONE, NULL, NULL, 3.5),
	R("github-fine-grained-pat", "vcs", "CRITICAL", "GitHub fine-grained personal access token",
	  "\\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\\b", VAL_NONE, NULL, NULL, 3.5),
	R("gitlab-pat", "vcs", "CRITICAL", "GitLab personal, project or group access token",
	  "\\b(glpat-[A-Za-z0-9_-]{20})" END_TOK, VAL_NONE, NULL, NULL, 3.0),
	R("gitlab-pipeline-trigger-token", "vcs", "HIGH", "GitLab pipeline trigger token",
	  "\\b(glptt-[0-9a-f]{40})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("gitlab-runner-token", "ci", "HIGH", "GitLab runner authentication token",
	  "\\b(glrt-[A-Za-z0-9_-]{20})" END_TOK, VAL_NONE, NULL, NULL, 3.0),
	R("gitlab-runner-registration-token", "ci", "HIGH", "GitLab runner registration token",
	  "\\b(GR1348941[A-Za-z0-9_-]{20})" END_TOK, VAL_NONE, NULL, NULL, 3.0),
	R("gitlab-deploy-token", "vcs", "HIGH", "GitLab deploy token",
	  "\\b(gldt-[A-Za-z0-9_-]{20})" END_TOK, VAL_NONE, NULL, NULL, 3.0),
	R("bitbucket-app-password", "vcs", "HIGH", "Bitbucket app password",
	  "\\b(ATBB[A-Za-z0-9_=.-]{32})" END_TOK, VAL_NONE, NULL, NULL, 3.5),
	R("bitbucket-client-secret", "vcs", "HIGH", "Bitbucket OAuth client secret",
	  "(?i)bitbucket[a-z0-9_ .-]{0,20}secret" ASSIGN "([A-Za-z0-9=_-]{64})" END_TOK, VAL_ENTROPY, NULL, NULL, 3.5),
	R("atlassian-api-token", "vcs", "HIGH", "Atlassian API token",
	  "\\b(ATATT3[A-Za-z0-9_=-]{180,})" END_TOK, VAL_NONE, NULL, NULL, 4.0),
	R("circleci-token", "ci", "HIGH", "CircleCI API token",
	  "(?i)circle[a-z0-9_ .-]{0,20}token" ASSIGN "([0-9a-f]{40})\\b", VAL_ENTROPY, NULL, NULL, 3.0),
	R("travis-ci-token", "ci", "MEDIUM", "Travis CI API token",
	  "(?i)travis[a-z0-9_ .-]{0,20}token" ASSIGN "([A-Za-z0-9]{22})\\b", VAL_ENTROPY, NULL, NULL, 3.0),
	R("jenkins-api-token", "ci", "MEDIUM", "Jenkins API token",
	  "(?i)jenkins[a-z0-9_ .-]{0,20}token" ASSIGN "([0-9a-f]{34})\\b", VAL_ENTROPY, NULL, NULL, 3.0),
	R("buildkite-agent-token", "ci", "HIGH", "Buildkite user API token",
	  "\\b(bkua_[a-f0-9]{40})\\b", VAL_NONE, NULL, NULL, 3.0),

	/* ----------------------------------------------------------------- chat */
	R("slack-bot-token", "chat", "HIGH", "Slack bot token",
	  "\\b(xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("slack-user-token", "chat", "HIGH", "Slack user token",
	  "\\b(xox[pe]-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[a-f0-9]{32})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("slack-app-token", "chat", "HIGH", "Slack app-level token",
	  "\\b(xapp-[0-9]-[A-Z0-9]{9,11}-[0-9]{10,13}-[a-f0-9]{64})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("slack-webhook", "chat", "HIGH", "Slack incoming webhook URL",
	  "(https://hooks\\.slack\\.com/(?:services|workflows)/T[A-Z0-9]{8,12}/[AB][A-Z0-9]{8,12}/[A-Za-z0-9]{23,24})\\b",
	  VAL_NONE, NULL, NULL, 3.0),
	R("discord-bot-token", "chat", "HIGH", "Discord bot token",
	  "(?i)discord[a-z0-9_ .-]{0,20}" ASSIGN "([MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38})" END_TOK,
	  VAL_NONE, NULL, NULL, 3.5),
	R("discord-webhook", "chat", "HIGH", "Discord webhook URL",
	  "(https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,})" END_TOK,
	  VAL_NONE, NULL, NULL, 3.5),
	R("telegram-bot-token", "chat", "HIGH", "Telegram bot API token",
	  "\\b([0-9]{8,10}:AA[A-Za-z0-9_-]{33})" END_TOK, VAL_NONE, NULL, NULL, 3.5),
	R("teams-webhook", "chat", "MEDIUM", "Microsoft Teams incoming webhook URL",
	  "(https://[a-z0-9-]{1,}\\.webhook\\.office\\.com/webhookb2/[0-9a-f-]{36}@[0-9a-f-]{36}/IncomingWebhook/"
	  "[A-Za-z0-9]{32}/[0-9a-f-]{36})", VAL_NONE, NULL, NULL, 3.0),

	/* ----------------------------------------------------------------- SaaS */
	R("stripe-secret-key", "saas", "CRITICAL", "Stripe live secret key",
	  "\\b(sk_live_[A-Za-z0-9]{24,})\\b", VAL_NONE, NULL, NULL, 3.5),
	R("stripe-restricted-key", "saas", "HIGH", "Stripe live restricted key",
	  "\\b(rk_live_[A-Za-z0-9]{24,})\\b", VAL_NONE, NULL, NULL, 3.5),
	R("stripe-test-secret-key", "saas", "LOW", "Stripe test-mode secret key",
	  "\\b(sk_test_[A-Za-z0-9]{24,})\\b", VAL_NONE, NULL, NULL, 3.5),
	R("stripe-webhook-secret", "saas", "HIGH", "Stripe webhook signing secret",
	  "\\b(whsec_[A-Za-z0-9]{32,})\\b", VAL_NONE, NULL, NULL, 3.5),
	R("twilio-api-key", "saas", "HIGH", "Twilio API key SID",
	  "\\b(SK[0-9a-f]{32})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("twilio-auth-token", "saas", "HIGH", "Twilio auth token",
	  "(?i)twilio[a-z0-9_ .-]{0,20}token" ASSIGN "([0-9a-f]{32})\\b", VAL_ENTROPY, NULL, NULL, 3.0),
	R("sendgrid-api-key", "saas", "HIGH", "SendGrid API key",
	  "\\b(SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43})" END_TOK, VAL_NONE, NULL, NULL, 3.5),
	R("mailgun-api-key", "saas", "HIGH", "Mailgun API key",
	  "\\b(key-[0-9a-f]{32})\\b", VAL_NONE, "mailgun", NULL, 3.0),
	R("mailchimp-api-key", "saas", "HIGH", "Mailchimp API key",
	  "\\b([0-9a-f]{32}-us[0-9]{1,2})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("brevo-api-key", "saas", "HIGH", "Brevo (Sendinblue) API key",
	  "\\b(xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("shopify-access-token", "saas", "HIGH", "Shopify access token",
	  "\\b(shpat_[a-fA-F0-9]{32})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("shopify-custom-app-token", "saas", "HIGH", "Shopify custom app access token",
	  "\\b(shpca_[a-fA-F0-9]{32})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("shopify-private-app-token", "saas", "HIGH", "Shopify private app access token",
	  "\\b(shppa_[a-fA-F0-9]{32})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("shopify-shared-secret", "saas", "HIGH", "Shopify shared secret",
	  "\\b(shpss_[a-fA-F0-9]{32})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("square-access-token", "saas", "HIGH", "Square access token",
	  "\\b(EAAA[A-Za-z0-9_-]{60})" END_TOK, VAL_NONE, NULL, NULL, 3.5),
	R("square-legacy-token", "saas", "HIGH", "Square legacy access token",
	  "\\b(sq0atp-[0-9A-Za-z_-]{22})" END_TOK, VAL_NONE, NULL, NULL, 3.0),
	R("square-oauth-secret", "saas", "HIGH", "Square OAuth secret",
	  "\\b(sq0csp-[0-9A-Za-z_-]{43})" END_TOK, VAL_NONE, NULL, NULL, 3.5),
	R("braintree-access-token", "saas", "HIGH", "PayPal Braintree access token",
	  "\\b(access_token\\$production\\$[0-9a-z]{16}\\$[0-9a-f]{32})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("openai-api-key", "saas", "HIGH", "OpenAI API key",
	  "\\b(sk-(?:proj-)?[A-Za-z0-9_-]{20}T3BlbkFJ[A-Za-z0-9_-]{20})" END_TOK, VAL_NONE, NULL, NULL, 3.5),
	R("anthropic-api-key", "saas", "HIGH", "Anthropic API key",
	  "\\b(sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,})" END_TOK, VAL_NONE, NULL, NULL, 3.5),
	R("huggingface-token", "saas", "HIGH", "Hugging Face access token",
	  "\\b(hf_[A-Za-z]{34})\\b", VAL_NONE, NULL, NULL, 3.5),
	R("datadog-api-key", "saas", "HIGH", "Datadog API key",
	  "(?i)(?:datadog|dd)_?api_?key" ASSIGN "([0-9a-f]{32})\\b", VAL_ENTROPY, NULL, NULL, 3.0),
	R("newrelic-user-key", "saas", "HIGH", "New Relic user API key",
	  "\\b(NRAK-[A-Z0-9]{27})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("sentry-user-token", "saas", "HIGH", "Sentry user auth token",
	  "\\b(sntryu_[a-f0-9]{64})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("grafana-service-account-token", "saas", "HIGH", "Grafana service account token",
	  "\\b(glsa_[A-Za-z0-9]{32}_[a-f0-9]{8})\\b", VAL_NONE, NULL, NULL, 3.5),
	R("postman-api-key", "saas", "HIGH", "Postman API key",
	  "\\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("linear-api-key", "saas", "HIGH", "Linear API key",
	  "\\b(lin_api_[A-Za-z0-9]{40})\\b", VAL_NONE, NULL, NULL, 3.5),
	R("dropbox-token", "saas", "HIGH", "Dropbox short-lived access token",
	  "\\b(sl\\.[A-Za-z0-9_-]{130,})" END_TOK, VAL_NONE, NULL, NULL, 4.0),
	R("pulumi-token", "cloud", "HIGH", "Pulumi access token",
	  "\\b(pul-[a-f0-9]{40})\\b", VAL_NONE, NULL, NULL, 3.0),

	/* ----------------------------------------------------- package registries */
	R("npm-token", "registry", "CRITICAL", "npm access token",
	  "\\b(npm_[A-Za-z0-9]{36})\\b", VAL_GH_CRC32, NULL, NULL, 0),
	R("npmrc-auth-token", "registry", "HIGH", "npm registry _authToken (.npmrc)",
	  "_authToken[ \\t]*=[ \\t]*([^\\s\"'$\\\\]{8,})" END_VAL, VAL_PASSWORD, NULL, NULL, 3.0),
	R("npmrc-auth", "registry", "HIGH", "npm registry _auth credentials (.npmrc)",
	  "(?:^|[\\s;])_auth[ \\t]*=[ \\t]*([A-Za-z0-9+/]{12,}={0,2})" END_B64, VAL_DOCKER_AUTH, NULL, NULL, 0),
	R("pypi-token", "registry", "CRITICAL", "PyPI upload token",
	  "\\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})" END_TOK, VAL_NONE, NULL, NULL, 3.5),
	R("pypirc-password", "registry", "HIGH", "password in .pypirc",
	  "(?:^|\\n)[ \\t]*password[ \\t]*[:=][ \\t]*([^\\s]{6,})" END_VAL, VAL_PASSWORD, NULL, "*.pypirc", 0),
	R("rubygems-api-key", "registry", "HIGH", "RubyGems API key",
	  "\\b(rubygems_[a-f0-9]{48})\\b", VAL_NONE, NULL, NULL, 3.0),
	R("nuget-api-key", "registry", "HIGH", "NuGet API key",
	  "\\b(oy2[a-z0-9]{43})\\b", VAL_NONE, NULL, NULL, 3.5),
	R("dockerhub-pat", "registry", "HIGH", "Docker Hub personal access token",
	  "\\b(dckr_pat_[A-Za-z0-9_-]{27})" END_TOK, VAL_NONE, NULL, NULL, 3.5),
	R("docker-config-auth", "registry", "HIGH", "registry credentials in a Docker config.json \"auths\"",
	  "\"auth\"[ \\t]*:[ \\t]*\"([A-Za-z0-9+/]{8,}={0,2})\"", VAL_DOCKER_AUTH, NULL, NULL, 0),
	R("artifactory-api-key", "registry", "HIGH", "JFrog Artifactory API key",
	  "\\b(AKCp[A-Za-z0-9]{69})\\b", VAL_NONE, NULL, NULL, 3.5),

	/* ------------------------------------------------------------ private keys */
	R("private-key-rsa", "private-key", "CRITICAL", "RSA private key (PEM, not encrypted)",
	  "(-----BEGIN RSA PRIVATE KEY-----)" PEM_NL "[A-Za-z0-9+/]{32}", VAL_NONE, NULL, NULL, 0),
	R("private-key-ec", "private-key", "CRITICAL", "EC private key (PEM, not encrypted)",
	  "(-----BEGIN EC PRIVATE KEY-----)" PEM_NL "[A-Za-z0-9+/]{32}", VAL_NONE, NULL, NULL, 0),
	R("private-key-dsa", "private-key", "CRITICAL", "DSA private key (PEM, not encrypted)",
	  "(-----BEGIN DSA PRIVATE KEY-----)" PEM_NL "[A-Za-z0-9+/]{32}", VAL_NONE, NULL, NULL, 0),
	R("private-key-openssh", "private-key", "CRITICAL", "OpenSSH private key",
	  "(-----BEGIN OPENSSH PRIVATE KEY-----)" PEM_NL "[A-Za-z0-9+/]{32}", VAL_NONE, NULL, NULL, 0),
	R("private-key-pkcs8", "private-key", "CRITICAL", "PKCS#8 private key (not encrypted)",
	  "(-----BEGIN PRIVATE KEY-----)" PEM_NL "[A-Za-z0-9+/]{32}", VAL_NONE, NULL, NULL, 0),
	R("private-key-pkcs8-encrypted", "private-key", "MEDIUM", "PKCS#8 private key (encrypted)",
	  "(-----BEGIN ENCRYPTED PRIVATE KEY-----)" PEM_NL "[A-Za-z0-9+/]{32}", VAL_NONE, NULL, NULL, 0),
	R("private-key-pem-encrypted", "private-key", "MEDIUM", "RSA, EC or DSA private key (PEM, encrypted)",
	  "(-----BEGIN (?:RSA|EC|DSA) PRIVATE KEY-----)" PEM_NL "Proc-Type: 4,ENCRYPTED", VAL_NONE, NULL, NULL, 0),
	R("private-key-pgp", "private-key", "CRITICAL", "PGP private key block",
	  "(-----BEGIN PGP PRIVATE KEY BLOCK-----)" PEM_NL "(?:[A-Za-z-]{1,40}: [^\\r\\n]{0,}" PEM_NL "){0,5}"
	  PEM_NL "[A-Za-z0-9+/]{32}", VAL_NONE, NULL, NULL, 0),
	R("private-key-putty", "private-key", "HIGH", "PuTTY private key file",
	  "(PuTTY-User-Key-File-[23]): (?:ssh-|ecdsa-)", VAL_NONE, NULL, NULL, 0),

	/* -------------------------------------------------------------- tokens */
	R("jwt", "jwt", "MEDIUM", "JSON Web Token",
	  "\\b(eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{16,})" END_TOK,
	  VAL_JWT, NULL, NULL, 0),

	/* ------------------------------------------------------------ databases */
	R("database-url-password", "database", "HIGH", "database URL with a password",
	  "\\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver|jdbc:[a-z]{2,12}|"
	  "clickhouse|cockroachdb)://[^\\s:/@\"'<>]{1,}:([^\\s:/@\"'<>]{3,})@[A-Za-z0-9._-]{1,}",
	  VAL_PASSWORD, NULL, NULL, 0),
	/* any other scheme's user:password@host (secretlint's basicauth): documentation is full
	 * of "http://user:pass@host" examples, so the password must look chosen (6 or more
	 * characters, an entropy floor, no placeholder) and the host must not be an example
	 * domain: the capture is password@host, and VAL_URL_AUTH judges the password part */
	R("url-basic-auth", "credentials", "MEDIUM", "password in a URL (user:password@host)",
	  "\\b(?:https?|ftps?|sftp|ssh|git|svn|ldaps?|smtps?|imaps?|pop3s?|wss?|nats|mqtts?|s3|sentry)"
	  "://[^\\s:/@\"'<>]{1,}:([^\\s:/@\"'<>]{6,}@[A-Za-z0-9._-]{1,})(?:[^A-Za-z0-9._-]|$)",
	  VAL_URL_AUTH, NULL, NULL, 0),

	/* ------------------------------------------------ sensitive data (PCI, PII)
	 * These three are matched by numbers.c, not Hyperscan: a change to one of the
	 * regexes must be made there too (tests/integration/secrets_numbers.sh fails
	 * until it is). */
	R("credit-card", "pci", "HIGH", "payment card number (issuer prefix and Luhn check)",
	  "(?:^|[^0-9A-Za-z_.:/+-])([2-6][0-9]{12,18}|[2-6][0-9]{3}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{1,7})"
	  "(?:[^0-9A-Za-z_.:/+ -]|[ -][^0-9]|$)", VAL_LUHN, NULL, NULL, 0),
	R("us-ssn", "pii", "HIGH", "US social security number",
	  "(?:^|[^0-9A-Za-z_.:/+-])([0-9]{3}-[0-9]{2}-[0-9]{4})(?:[^0-9A-Za-z_.:/+-]|$)", VAL_SSN, NULL, NULL, 0),
	R("iban", "financial", "MEDIUM", "international bank account number (IBAN, mod-97 check)",
	  "(?:^|[^0-9A-Za-z_])([A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?))"
	  "(?:[^0-9A-Za-z_]|$)", VAL_IBAN, NULL, NULL, 0),

	/* ----------------------------------------------- generic assignments, last */
	R("generic-password", "generic", "MEDIUM", "password assigned in text",
	  "(?i)(?:passwd|password|passphrase|pwd)[a-z0-9_.-]{0,20}" ASSIGN "(" VALUE "{8,})" END_VAL,
	  VAL_ENTROPY, NULL, NULL, 3.0),
	R("generic-secret", "generic", "MEDIUM", "secret assigned in text",
	  "(?i)secret[a-z0-9_.-]{0,20}" ASSIGN "(" VALUE "{12,})" END_VAL, VAL_ENTROPY, NULL, NULL, 3.5),
	R("generic-token", "generic", "MEDIUM", "token or API key assigned in text",
	  "(?i)(?:token|api_?key|access_?key|auth_?key)[a-z0-9_.-]{0,20}" ASSIGN "(" VALUE "{16,})" END_VAL,
	  VAL_ENTROPY, NULL, NULL, 3.5),
};

const size_t bw_secret_builtin_count = sizeof(bw_secret_builtin_rules) / sizeof(bw_secret_builtin_rules[0]);
