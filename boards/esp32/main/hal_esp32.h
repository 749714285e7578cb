#ifndef HAL_ESP32_H
#define HAL_ESP32_H
void hal_esp32_set_socket(int sock);
void hal_esp32_set_time_known(int known);
#endif
