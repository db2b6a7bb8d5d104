/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migctl status and the --wait / --watch loop (status.c) that the other
 * migration commands share through mig_run().
 */
#ifndef MIGCTL_STATUS_H
#define MIGCTL_STATUS_H

#include <stdbool.h>
#include <stdint.h>

struct mig_req;

/*
 * Send @cmd for @req, print the reply as 'migctl status' does; with @wait,
 * poll every @interval ms until the migration has ended and print its
 * final status instead (listen in text: both). @what names the command in
 * error lines. Returns the exit status.
 */
int mig_run(const char *what, uint8_t cmd, const struct mig_req *req,
	    bool wait, unsigned int interval);
/*
 * The same for listen and start, after parse_auth() of --key-file
 * @key_file or --insecure; the key is wiped before it returns.
 */
int mig_run_auth(const char *what, uint8_t cmd, struct mig_req *req,
		 const char *key_file, bool insecure, bool wait,
		 unsigned int interval);

#endif /* MIGCTL_STATUS_H */
