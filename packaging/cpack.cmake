# The Debian package, built by CPack (make package). Configure with
# -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_SYSCONFDIR=/etc so that the config
# lands in /etc whichever form its install() rule uses; the Makefile does that.
# Debian-only files (copyright, changelog) and the man page compression are
# added to the staging tree by deb-prebuild.cmake, so `make install` stays plain.
# The .rpm is built by packaging/rpm/ssm-notifyd.spec instead.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ssm-notifyd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "ssm-notifyd maintainers <dev@ssm-notifyd.invalid>"
    CACHE STRING "Maintainer of the .deb (name <address>)")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "notify a team of AWS Systems Manager sessions via SQS and SNS")
set(CPACK_PACKAGE_DESCRIPTION
"ssm-notifyd tells a team, in plain words and at once, who opened an AWS
Systems Manager Session Manager session to which instance, from where, and
whether it was denied.

The daemon long-polls an SQS queue that an EventBridge rule fills with
CloudTrail events from SSM, renders each event as a notification (Japanese or
English text, JSON, or AWS Chatbot format) and publishes it to an SNS topic. It
deletes a message only after the publish succeeded. It runs under systemd as a
sandboxed system user.")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies come from dpkg-shlibdeps; these are what it cannot see:
# the CA bundle for TLS, the zone database for local times, /bin/kill for the
# unit's ExecReload= (procps; not in a minimal Debian), and systemd-sysusers
# for the postinst to create the user (in systemd, or standalone).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "ca-certificates, tzdata, procps, systemd | systemd-standalone-sysusers")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/debian/conffiles
    ${CMAKE_CURRENT_LIST_DIR}/debian/postinst
    ${CMAKE_CURRENT_LIST_DIR}/debian/prerm
    ${CMAKE_CURRENT_LIST_DIR}/debian/postrm)
# Control files get the modes dpkg expects (scripts 0755, data 0644) whatever
# the checkout's modes are.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/deb-prebuild.cmake)
# Read by deb-prebuild.cmake (CPack passes every CPACK_* variable on).
set(CPACK_SSMN_DEBIAN_DIR ${CMAKE_CURRENT_LIST_DIR}/debian)
set(CPACK_SSMN_UNITDIR ${SSMN_SYSTEMD_UNITDIR})
set(CPACK_SSMN_SYSUSERSDIR ${SSMN_SYSUSERSDIR})

include(CPack)
