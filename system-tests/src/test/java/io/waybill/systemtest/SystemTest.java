package io.waybill.systemtest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** A test class that runs against one {@link SystemUnderTest}, started before its tests and stopped after. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SystemTest {

    protected SystemUnderTest system;

    /** How many engine instances the class needs. */
    protected int engines() {
        return 1;
    }

    @BeforeAll
    void startSystem() throws Exception {
        system = SystemUnderTest.start(engines());
    }

    @AfterAll
    void stopSystem() {
        if (system != null) system.close();
    }
}
