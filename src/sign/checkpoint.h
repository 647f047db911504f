/*
 * sign/checkpoint.h: transparency-log checkpoints in the signed-note format
 * (golang.org/x/mod/sumdb/note, C2SP tlog-checkpoint):
 *
 *   <origin>\n<tree size, decimal>\n<root hash, base64>\n[extension lines\n]
 *   \n
 *   — <signer name> <base64(4-byte key hint || signature)>\n   (one or more)
 *
 * The signed text is everything before the blank line, final newline
 * included. Malformed signature lines reject the note: a verifier that skips
 * what it cannot read can be fed a note that two verifiers read differently.
 */
#ifndef BW_SIGN_CHECKPOINT_H
#define BW_SIGN_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/pki.h"

#define BW_MAX_CHECKPOINT_BYTES   (64 * 1024)
#define BW_MAX_CHECKPOINT_SIGS    100
#define BW_MAX_CHECKPOINT_LINES   100  /* body lines, extension lines included */

typedef struct bw_checkpoint_sig {
	char *name;
	uint8_t hint[4];
	uint8_t *sig;
	size_t sig_len;
} bw_checkpoint_sig;

typedef struct bw_checkpoint {
	char *note;         /* the whole text, NUL-terminated */
	size_t signed_len;  /* note[0..signed_len) is what the signatures cover */
	char *origin;
	uint64_t tree_size;
	uint8_t root_hash[32];
	bw_checkpoint_sig *sigs;
	size_t n_sigs;
} bw_checkpoint;

int bw_checkpoint_parse(const char *what, const char *text, size_t len, bw_checkpoint *out);
void bw_checkpoint_free(bw_checkpoint *cp);

/*
 * 0 when some signature line whose key hint is the first 4 bytes of log_id
 * verifies with key over the signed text (other lines, e.g. witness
 * cosignatures with keys we do not have, are ignored); BW_EPOLICY otherwise.
 */
int bw_checkpoint_verify(const char *what, const bw_checkpoint *cp, const bw_pki_key *key,
			 const uint8_t *log_id, size_t log_id_len);

#endif
