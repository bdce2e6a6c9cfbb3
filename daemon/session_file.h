/* session_file: the state file of open sessions, under StateDirectory=.
 *
 * The file is DIR/sessions.json (session_store.h's text form), DIR being the
 * first entry of $STATE_DIRECTORY (systemd sets it from StateDirectory=),
 * else /var/lib/ssm-notifyd. A save is atomic: a temporary file in the same
 * directory, fsync, rename over the old one, fsync of the directory, so a
 * crash leaves the old file or the new one, never a mix. A file that cannot
 * be taken as ours (not a regular file, another owner, too large, garbage,
 * another version) is logged at err and renamed to
 * sessions.json.corrupt-YYYYMMDDTHHMMSSZ, and the daemon starts with no
 * open sessions: a damaged file costs notifications about old sessions,
 * never the daemon. */
#pragma once

#include <stddef.h>
#include <time.h>

#include "session_store.h"

#define SESSION_FILE_NAME "sessions.json"
#define SESSION_STATE_DIR_DEFAULT "/var/lib/ssm-notifyd"

/* The directory for the value of $STATE_DIRECTORY (NULL: not set), into
 * buf; returns buf. */
const char *session_file_dir(const char *state_directory, char *buf, size_t size);

/* A store of capacity max from DIR/sessions.json: 0 and *ret always (empty
 * when there is no file, or when it was set aside; both are logged), or
 * -ENOMEM. now names a set-aside file. */
int session_file_load(const char *dir, size_t max, time_t now, struct session_store **ret);

/* 0, or a negative errno (nothing logged: the caller decides how loud). */
int session_file_save(const char *dir, const struct session_store *s);
