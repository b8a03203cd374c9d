/*
 * test_buf.c - struct rd_buf's printf: formatted into the room there is, or
 * after growing, and never past the cap (nothing appended then).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "riskdesk/buf.h"
#include "riskdesk/error.h"

static void test_printf_room_and_growth(void **state)
{
    struct rd_buf b;
    char want[600];

    (void)state;
    rd_buf_init(&b, 1 << 20);
    assert_int_equal(rd_buf_printf(&b, "%s=%d", "a", 1), RD_OK);        /* grows from nothing */
    assert_string_equal(rd_buf_str(&b), "a=1");
    assert_int_equal(rd_buf_printf(&b, ",%s", "b"), RD_OK);            /* fits the room */
    assert_string_equal(rd_buf_str(&b), "a=1,b");
    assert_int_equal(b.len, 5);
    memset(want, 'x', 500);
    want[500] = '\0';
    assert_int_equal(rd_buf_printf(&b, "%s", want), RD_OK);            /* past the room */
    assert_int_equal(b.len, 505);
    assert_memory_equal(rd_buf_str(&b), "a=1,b", 5);
    assert_memory_equal(rd_buf_str(&b) + 5, want, 501);
    rd_buf_release(&b);
}

static void test_printf_cap(void **state)
{
    struct rd_buf b;

    (void)state;
    rd_buf_init(&b, 8);
    assert_int_equal(rd_buf_printf(&b, "%s", "abcdef"), RD_OK);
    /* room is left in the allocation (64 bytes), but the cap is 8: refused, unchanged */
    assert_int_equal(rd_buf_printf(&b, "%s", "ghi"), RD_ETOOBIG);
    assert_string_equal(rd_buf_str(&b), "abcdef");
    assert_int_equal(b.len, 6);
    assert_int_equal(rd_buf_printf(&b, "%d", 78), RD_OK);
    assert_string_equal(rd_buf_str(&b), "abcdef78");
    rd_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_printf_room_and_growth),
        cmocka_unit_test(test_printf_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
