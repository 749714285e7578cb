#ifndef HAL_NRF52_H
#define HAL_NRF52_H
void hal_nrf52_set_socket(int sock);
void hal_nrf52_clock_start(void);
#endif
