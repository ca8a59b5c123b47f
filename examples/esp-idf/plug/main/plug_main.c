/*
 * ltuya on an ESP32: join Wi-Fi, set the clock by SNTP, then read a Tuya
 * plug's voltage, current and power every PLUG_POLL_SECONDS and toggle its
 * relay when the button is pressed. Settings: `idf.py menuconfig`, menu
 * "ltuya plug example" (and "ltuya" for the library's limits).
 *
 * One task owns the ltuya device (the library is not thread-safe per
 * device); the button's interrupt only wakes that task.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "driver/gpio.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_netif_sntp.h"
#include "esp_timer.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"
#include "freertos/task.h"
#include "nvs_flash.h"

#include "ltuya/device.h"
#include "ltuya_lwip.h"

#define GOT_IP_BIT   BIT0
#define BUTTON_GPIO  ((gpio_num_t)CONFIG_PLUG_BUTTON_GPIO)
#define DEBOUNCE_US  (300 * 1000) /* presses closer together count once */
#define PLUG_STACK   8192         /* bytes; ltuya's requests keep frames on the stack */
#define SNTP_WAIT_MS 15000

static const char *TAG = "plug";
static EventGroupHandle_t wifi_events;
static TaskHandle_t plug_task_handle;

/* ---- Wi-Fi station ------------------------------------------------------ */

static void on_net_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    if (base == WIFI_EVENT && id == WIFI_EVENT_STA_START) {
        esp_wifi_connect();
    } else if (base == WIFI_EVENT && id == WIFI_EVENT_STA_DISCONNECTED) {
        xEventGroupClearBits(wifi_events, GOT_IP_BIT);
        ESP_LOGW(TAG, "Wi-Fi disconnected, connecting again");
        esp_wifi_connect(); /* a plug controller never gives up */
    } else if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP) {
        const ip_event_got_ip_t *got = data;
        ESP_LOGI(TAG, "station address " IPSTR, IP2STR(&got->ip_info.ip));
        xEventGroupSetBits(wifi_events, GOT_IP_BIT);
    }
}

/* Copy a menuconfig string into a fixed Wi-Fi field (which needs no
 * terminator when full). */
static void copy_field(uint8_t *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    memcpy(dst, src, n < cap ? n : cap);
}

static void wifi_start(void)
{
    static esp_event_handler_instance_t wifi_handler, ip_handler;
    wifi_events = xEventGroupCreate();
    ESP_ERROR_CHECK(esp_netif_init());
    ESP_ERROR_CHECK(esp_event_loop_create_default());
    esp_netif_create_default_wifi_sta();

    wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
    ESP_ERROR_CHECK(esp_wifi_init(&init));
    ESP_ERROR_CHECK(esp_event_handler_instance_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_net_event,
                                                        NULL, &wifi_handler));
    ESP_ERROR_CHECK(esp_event_handler_instance_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_net_event,
                                                        NULL, &ip_handler));

    wifi_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    copy_field(cfg.sta.ssid, sizeof cfg.sta.ssid, CONFIG_PLUG_WIFI_SSID);
    copy_field(cfg.sta.password, sizeof cfg.sta.password, CONFIG_PLUG_WIFI_PASSWORD);
    cfg.sta.threshold.authmode = CONFIG_PLUG_WIFI_PASSWORD[0] ? WIFI_AUTH_WPA2_PSK : WIFI_AUTH_OPEN;
    ESP_ERROR_CHECK(esp_wifi_set_mode(WIFI_MODE_STA));
    ESP_ERROR_CHECK(esp_wifi_set_config(WIFI_IF_STA, &cfg));
    ESP_ERROR_CHECK(esp_wifi_start());

    ESP_LOGI(TAG, "joining \"%s\"", CONFIG_PLUG_WIFI_SSID);
    xEventGroupWaitBits(wifi_events, GOT_IP_BIT, pdFALSE, pdTRUE, portMAX_DELAY);
}

/* ---- wall clock ----------------------------------------------------------- */

static void clock_start(void)
{
    esp_sntp_config_t cfg = ESP_NETIF_SNTP_DEFAULT_CONFIG(CONFIG_PLUG_SNTP_SERVER);
    ESP_ERROR_CHECK(esp_netif_sntp_init(&cfg));
    if (esp_netif_sntp_sync_wait(pdMS_TO_TICKS(SNTP_WAIT_MS)) != ESP_OK)
        /* Devices do not check the "t" field closely: carry on, SNTP keeps trying. */
        ESP_LOGW(TAG, "no SNTP answer yet from %s", CONFIG_PLUG_SNTP_SERVER);
    else
        ESP_LOGI(TAG, "clock set by SNTP");
}

/* ---- button --------------------------------------------------------------- */

static void IRAM_ATTR on_button(void *arg)
{
    (void)arg;
    BaseType_t woken = pdFALSE;
    vTaskNotifyGiveFromISR(plug_task_handle, &woken);
    portYIELD_FROM_ISR(woken);
}

static void button_start(void)
{
    gpio_config_t io = {
        .pin_bit_mask = 1ULL << CONFIG_PLUG_BUTTON_GPIO,
        .mode = GPIO_MODE_INPUT,
        .pull_up_en = GPIO_PULLUP_ENABLE,
        .pull_down_en = GPIO_PULLDOWN_DISABLE,
        .intr_type = GPIO_INTR_NEGEDGE, /* pressed: the pin falls to ground */
    };
    ESP_ERROR_CHECK(gpio_config(&io));
    ESP_ERROR_CHECK(gpio_install_isr_service(0));
    ESP_ERROR_CHECK(gpio_isr_handler_add(BUTTON_GPIO, on_button, NULL));
}

/* ---- the plug ------------------------------------------------------------- */

static void report_energy(ltuya_device_t *dev)
{
    ltuya_energy_t e;
    ltuya_status_t st = ltuya_device_energy(dev, &e);
    if (st != LTUYA_OK) {
        ESP_LOGW(TAG, "energy: %s", ltuya_status_str(st));
        return;
    }
    if (!e.has_voltage && !e.has_current && !e.has_power) {
        ESP_LOGW(TAG, "energy: the plug reports no voltage, current or power");
        return;
    }
    /* int32_t is long on Xtensa and RISC-V newlib: PRId32, never %d. */
    ESP_LOGI(TAG, "%" PRId32 ".%" PRId32 " V  %" PRId32 " mA  %" PRId32 ".%" PRId32 " W",
             e.voltage_mv / 1000, (e.voltage_mv % 1000) / 100, e.current_ma, e.power_mw / 1000,
             (e.power_mw % 1000) / 100);
}

static void toggle(ltuya_device_t *dev)
{
    bool on = false;
    ltuya_status_t st = ltuya_device_toggle(dev, CONFIG_PLUG_SWITCH_DP, &on);
    if (st == LTUYA_OK)
        ESP_LOGI(TAG, "switched %s", on ? "on" : "off");
    else if (st == LTUYA_ERR_DEVICE)
        ESP_LOGW(TAG, "the plug refused: %s", ltuya_device_last_error(dev));
    else
        ESP_LOGW(TAG, "toggle: %s", ltuya_status_str(st));
}

static void plug_task(void *arg)
{
    (void)arg;
    /* Static: the buffers are too big for a task stack and outlive every call. */
    static uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
    static ltuya_lwip_tcp_t tcp;
    static ltuya_transport_t transport;
    static ltuya_device_t dev;

    ltuya_lwip_init(NULL); /* esp_fill_random(), time() */
    ltuya_lwip_tcp_init(&tcp, &transport);

    ltuya_device_opts_t o;
    memset(&o, 0, sizeof o);
    o.client.host = CONFIG_PLUG_DEVICE_IP;
    o.client.dev_id = CONFIG_PLUG_DEVICE_ID;
    o.client.local_key = CONFIG_PLUG_LOCAL_KEY;
    o.client.transport = &transport;
    o.client.clock = ltuya_lwip_clock();
    o.keep_alive = true; /* one connection; the library reconnects when it drops */
    ltuya_status_t st = ltuya_version_parse(CONFIG_PLUG_VERSION, &o.client.version);
    if (st == LTUYA_OK)
        st = ltuya_device_init(&dev, &o, rx, sizeof rx, tx, sizeof tx);
    if (st != LTUYA_OK) {
        ESP_LOGE(TAG, "plug settings: %s", ltuya_status_str(st));
        vTaskDelete(NULL);
        return;
    }
    ESP_LOGI(TAG, "plug %s at %s, protocol %s", CONFIG_PLUG_DEVICE_ID, CONFIG_PLUG_DEVICE_IP,
             ltuya_version_str(o.client.version));

    const TickType_t period = pdMS_TO_TICKS(CONFIG_PLUG_POLL_SECONDS * 1000);
    TickType_t next = xTaskGetTickCount();
    int64_t last_press_us = -DEBOUNCE_US;
    for (;;) {
        TickType_t now = xTaskGetTickCount();
        if ((int32_t)(next - now) <= 0) { /* tick counts wrap: compare the difference */
            report_energy(&dev);
            next = xTaskGetTickCount() + period;
            continue;
        }
        /* Sleep until the next reading or a button press, whichever is first. */
        if (ulTaskNotifyTake(pdTRUE, next - now) == 0)
            continue;
        int64_t t = esp_timer_get_time();
        if (t - last_press_us < DEBOUNCE_US)
            continue; /* contact bounce, or a press during the last toggle */
        last_press_us = t;
        toggle(&dev);
        last_press_us = esp_timer_get_time();
        ulTaskNotifyTake(pdTRUE, 0); /* drop presses queued while toggling */
    }
}

void app_main(void)
{
    /* Wi-Fi keeps its calibration data in NVS. */
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        ESP_ERROR_CHECK(nvs_flash_erase());
        err = nvs_flash_init();
    }
    ESP_ERROR_CHECK(err);

    wifi_start();
    clock_start();
    xTaskCreate(plug_task, "plug", PLUG_STACK, NULL, 5, &plug_task_handle);
    button_start(); /* after the task exists: the interrupt wakes it */
}
