package dev.vane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class BinaryStatsTest {

    @Test
    void mergeAddsExposuresAndSuccesses() {
        assertEquals(BinaryStats.of(30, 7), BinaryStats.of(10, 3).merge(BinaryStats.of(20, 4)));
        assertEquals(BinaryStats.of(2, 1), BinaryStats.EMPTY.plus(true).plus(false));
    }

    @Test
    void rateIsZeroWithoutExposures() {
        assertEquals(0.0, BinaryStats.EMPTY.rate());
        assertEquals(0.25, BinaryStats.of(8, 2).rate());
    }

    @Test
    void badCountsAreRejectedWithTheValueAndRule() {
        assertEquals("exposures: -3 (expected: >= 0)",
                assertThrows(IllegalArgumentException.class, () -> BinaryStats.of(-3, 0)).getMessage());
        assertEquals("successes: -1 (expected: >= 0)",
                assertThrows(IllegalArgumentException.class, () -> BinaryStats.of(3, -1)).getMessage());
        assertEquals("successes: 4 (expected: <= exposures 3)",
                assertThrows(IllegalArgumentException.class, () -> BinaryStats.of(3, 4)).getMessage());
    }

    @Test
    void mergeOverflowThrowsInsteadOfWrapping() {
        assertThrows(ArithmeticException.class,
                () -> BinaryStats.of(Long.MAX_VALUE, 0).merge(BinaryStats.of(1, 0)));
    }

    @Test
    void survivesJavaSerialisationWithValidation() throws Exception {
        BinaryStats original = BinaryStats.of(100, 7);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(original);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(original, in.readObject());
        }
    }
}
