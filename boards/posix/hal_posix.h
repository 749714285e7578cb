/* Settings of the Linux HAL (hal_posix.c), made by main.c. */
#ifndef HAL_POSIX_H
#define HAL_POSIX_H

#include <stddef.h>
#include <stdint.h>

void hal_posix_set_socket(int fd);
void hal_posix_set_aes_hw(int on);
void hal_posix_set_log_level(int level);
/* --time: a fixed trusted wall clock in seconds since 1970, or -1 unknown (default: the host's). */
void hal_posix_set_wall_time(int64_t seconds);
/* Text seed: random bytes become the Node host's seeded stream (tests only). */
void hal_posix_set_seed(const char *seed);
void hal_posix_stats(uint64_t *datagrams, uint64_t *bytes, uint64_t *aes_blocks);

#endif
