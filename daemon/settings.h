/* settings: a loaded configuration mapped onto what the relay and the
 * renderer take. The result borrows cfg's strings: keep cfg alive as long
 * as the settings. An edge: the configured time zone becomes the process's
 * (tz_select()), so a zone removed since the load fails here, not per message. */
#pragma once

#include "config.h"
#include "relay.h"
#include "render.h"

struct settings {
        struct relay_settings relay; /* relay.render is the renderer's part */
        struct render_account *accounts;
};

int settings_from_config(const struct config *cfg, struct settings *ret);
void settings_clear(struct settings *s);
