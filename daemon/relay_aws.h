/* relay_aws: the relay's operations over the SQS and SNS clients and the
 * enricher of an aws_setup (ctx is a struct aws_setup *); a Publish goes to
 * the client of its topic's region (aws_setup_sns_for), a PublishBatch to
 * its lane's (aws_setup_sns_lane_for). The setup is read at
 * each call, so replacing its clients on a reload needs no new table. */
#pragma once

#include "relay_ops.h"

extern const struct relay_ops relay_aws_ops;
