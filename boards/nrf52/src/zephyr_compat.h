/*
 * Zephyr headers under both layouts this project is built with: <zephyr/...> (Zephyr 3.1 and
 * later: nRF Connect SDK, west) and the flat one of Zephyr 2.7 (PlatformIO's framework-zephyr,
 * pinned by platform nordicnrf52 at ~2.20701.0).
 */
#ifndef ZEPHYR_COMPAT_H
#define ZEPHYR_COMPAT_H

#if __has_include(<zephyr/kernel.h>)
#include <zephyr/irq.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/socket.h>
#else
#include <irq.h>
#include <logging/log.h>
#include <net/net_if.h>
#include <net/socket.h>
#include <zephyr.h>
#endif

#endif /* ZEPHYR_COMPAT_H */
