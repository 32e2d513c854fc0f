/*
 * uuid7.c — UUIDv7 layout: unix_ts_ms(48) ver(4)=7 rand_a(12) var(2)=10 rand_b(62).
 */
#include "core/uuid7.h"

#include <stdio.h>

void
uuid7_format(int64_t ms, const uint8_t rnd[10], char out[37])
{
    uint8_t b[16];
    uint64_t t = (uint64_t) ms;

    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t) (t >> (40 - 8 * i));
    b[6] = (uint8_t) (0x70 | (rnd[0] & 0x0F));
    b[7] = rnd[1];
    b[8] = (uint8_t) (0x80 | (rnd[2] & 0x3F));
    for (int i = 9; i < 16; i++)
        b[i] = rnd[i - 6];
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}
