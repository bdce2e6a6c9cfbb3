# CPack pre-build script for the .deb (CPACK_PRE_BUILD_SCRIPTS): runs on the
# staging tree after `cmake --install` and before CPack packs it. It adds what
# only Debian wants and checks the layout, so a missing file fails the build
# here instead of shipping a broken package.
#   - /etc/ssm-notifyd/ssm-notifyd.conf: must exist; mode 0600 (it may hold an
#     access key; the daemon refuses a key file others can read). The postinst
#     makes it root:ssm-notifyd 0640 once the group exists.
#   - the sysusers.d file that creates that group, and the documentation the
#     unit's comments name (README, the AWS-side setup)
#   - man pages: compressed with gzip -9n (Debian policy 12.1; -n keeps the
#     build reproducible)
#   - /usr/share/doc/ssm-notifyd/{copyright,changelog.Debian.gz} and the
#     lintian overrides
#   - the unit in /lib/systemd/system, the binary in /usr/sbin (its .comment
#     and .note sections removed as dh_strip does)

if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()

set(root "${CPACK_TEMPORARY_DIRECTORY}")
set(deb "${CPACK_SSMN_DEBIAN_DIR}")
set(doc "${root}/usr/share/doc/${CPACK_PACKAGE_NAME}")

function(ssmn_require path why)
  if(NOT EXISTS "${root}/${path}")
    message(FATAL_ERROR "deb: /${path} is not in the package (${why})")
  endif()
endfunction()

function(ssmn_gzip src dst)
  execute_process(COMMAND gzip -9nc "${src}" OUTPUT_FILE "${dst}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "deb: gzip ${src} failed")
  endif()
  file(CHMOD "${dst}" FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endfunction()

ssmn_require(usr/sbin/ssm-notifyd "the daemon")
# CPACK_STRIP_FILES stripped the symbols; like dh_strip, also drop the
# compiler's .comment and the .note sections nothing reads.
execute_process(COMMAND strip --remove-section=.comment --remove-section=.note
                        "${root}/usr/sbin/ssm-notifyd" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "deb: strip failed")
endif()
ssmn_require(lib/systemd/system/ssm-notifyd.service
  "the unit; configure with SSMN_SYSTEMD_UNITDIR=/lib/systemd/system for Debian 12")
ssmn_require(usr/lib/sysusers.d/ssm-notifyd.conf
  "the unit's user; configure with SSMN_SYSUSERSDIR=/usr/lib/sysusers.d")
foreach(d README.md aws/README.md aws/cloudformation.yaml aws/iam-policy.json
          aws/sqs-queue-policy.json aws/eventbridge-rule-pattern.json aws/member-account-role.yaml
          examples/ip-allow.conf.example)
  ssmn_require(usr/share/doc/${CPACK_PACKAGE_NAME}/${d} "install() rules of the documentation")
endforeach()
ssmn_require(etc/ssm-notifyd/ssm-notifyd.conf
  "install() rule of conf/ssm-notifyd.conf; configure with CMAKE_INSTALL_SYSCONFDIR=/etc")
file(CHMOD "${root}/etc/ssm-notifyd/ssm-notifyd.conf" FILE_PERMISSIONS OWNER_READ OWNER_WRITE)

foreach(page man8/ssm-notifyd.8 man5/ssm-notifyd.conf.5)
  set(p "${root}/usr/share/man/${page}")
  if(EXISTS "${p}")
    ssmn_gzip("${p}" "${p}.gz")
    file(REMOVE "${p}")
  endif()
  ssmn_require(usr/share/man/${page}.gz "install() rule of conf/ man pages")
endforeach()

# The changelog's newest entry must name the version being packaged.
file(STRINGS "${deb}/changelog" top LIMIT_COUNT 1)
set(want "${CPACK_PACKAGE_NAME} (${CPACK_PACKAGE_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE})")
string(FIND "${top}" "${want}" at)
if(NOT at EQUAL 0)
  message(FATAL_ERROR "deb: packaging/debian/changelog starts with '${top}', "
                      "not '${want} ...': add an entry for this version")
endif()

set(overrides "${root}/usr/share/lintian/overrides/${CPACK_PACKAGE_NAME}")
file(MAKE_DIRECTORY "${doc}" "${root}/usr/share/lintian/overrides")
file(COPY_FILE "${deb}/copyright" "${doc}/copyright")
file(COPY_FILE "${deb}/lintian-overrides" "${overrides}")
file(CHMOD "${doc}/copyright" "${overrides}"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
ssmn_gzip("${deb}/changelog" "${doc}/changelog.Debian.gz")
