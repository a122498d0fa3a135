// Produces the one closing line CI reads: "tests: N passed, N failed". A suite that failed to
// run at all (syntax error, missing module) has no failed tests of its own, so each such suite
// counts as one failure: a broken file can never pass as "0 failed".
// Under scripts/test.mjs the line goes to JEST_SUMMARY_FILE and is printed after jest exits,
// so it is the last line of the run; a plain `npx jest` prints it directly.
const fs = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const brokenSuites = results.testResults.filter(
      (suite) => suite.testExecError || (suite.failureMessage && suite.numFailingTests === 0),
    ).length;
    const failed = results.numFailedTests + brokenSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    const line = `tests: ${results.numPassedTests} passed, ${failed} failed${tail}`;
    if (process.env.JEST_SUMMARY_FILE) fs.writeFileSync(process.env.JEST_SUMMARY_FILE, `${line}\n`);
    else process.stdout.write(`\n${line}\n`);
  }
}

module.exports = SummaryReporter;
