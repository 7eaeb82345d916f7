package io.greenwell.cdc.greenplum;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Runs a test class only against one kind of server (see {@link TestDatabase#serverKind()}): the
 * subclass of a dialect's test for its own database. On another server the class is reported as
 * skipped, with the reason and how to run it, never left out silently: the reason is also printed
 * as a {@code NOT RUN:} line where a person running Maven sees it ({@link NotRun#report}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(OnServer.Condition.class)
@interface OnServer {

    TestDatabase.ServerKind value();

    /** Evaluates {@link OnServer}. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            var wanted = context.getTestClass().flatMap(c -> AnnotationSupport.findAnnotation(c, OnServer.class));
            if (wanted.isEmpty()) {
                return ConditionEvaluationResult.enabled("no server kind asked for");
            }
            TestDatabase.ServerKind kind;
            try {
                kind = TestDatabase.serverKind();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot tell the kind of the server under test", e);
            }
            if (kind == wanted.get().value()) {
                return ConditionEvaluationResult.enabled("the server under test is " + kind);
            }
            String test = context.getTestClass().map(Class::getSimpleName).orElse(null);
            return ConditionEvaluationResult.disabled(NotRun.report(test, "needs a " + wanted.get().value()
                    + " server, the server under test is " + kind + " (set GREENWELL_TEST_JDBC_URL to one; see the README's Greenplum tier)"));
        }
    }
}
