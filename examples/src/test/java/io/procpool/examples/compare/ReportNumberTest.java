package io.procpool.examples.compare;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The report's figures: about three significant digits, grouped when large, at every boundary. */
class ReportNumberTest {
    @Test
    void shouldPrintAboutThreeSignificantDigitsGroupedWhenLarge() {
        assertEquals("1,234", Report.number(1234.4));
        assertEquals("568", Report.number(567.8));
        assertEquals("12.3", Report.number(12.34));
        assertEquals("1.23", Report.number(1.234));
        assertEquals("0.0651", Report.number(0.06512));
        assertEquals("-", Report.number(Double.NaN));
    }

    @Test
    void shouldPickTheFormatOfTheMagnitudeAValueRoundsTo() {
        assertEquals("1,000", Report.number(999.6), "not 1000, ungrouped");
        assertEquals("100", Report.number(99.96), "not 100.0");
        assertEquals("10.0", Report.number(9.996), "not 10.00");
        assertEquals("1.00", Report.number(0.9996), "not 1.000");
        assertEquals("-1,000", Report.number(-999.6));
    }
}
