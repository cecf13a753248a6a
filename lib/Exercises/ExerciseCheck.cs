namespace PruningLab.Exercises;

/// <summary>
/// Runs a learner's function against the library's reference on fixed cases and turns every outcome, including
/// <see cref="NotImplementedException"/> and any other exception, into a printed <see cref="CheckResult"/>.
/// </summary>
/// <remarks>
/// The lesson's check cell and the xunit test of the same exercise use the same cases, so the notebook and CI
/// agree on what "correct" means.
/// </remarks>
public static class ExerciseCheck
{
    /// <summary>
    /// Compares <paramref name="learner"/> with <paramref name="reference"/> on every case, prints the result and
    /// returns it.
    /// </summary>
    /// <param name="exercise">Title shown in the result, e.g. "Exercise 0.1 (magnitude threshold)".</param>
    /// <param name="cases">Named inputs.</param>
    /// <param name="learner">The learner's implementation.</param>
    /// <param name="reference">The library's implementation.</param>
    /// <param name="same">Whether the learner's output matches the reference's (e.g. within a tolerance).</param>
    /// <param name="hint">Shown on any failure.</param>
    /// <param name="describe">Formats an output for the message.</param>
    public static CheckResult Compare<TIn, TOut>(string exercise, IEnumerable<(string Name, Func<TIn> Input)> cases,
        Func<TIn, TOut> learner, Func<TIn, TOut> reference, Func<TOut, TOut, bool> same, string hint,
        Func<TOut, string>? describe = null)
    {
        describe ??= value => value?.ToString() ?? "null";
        var count = 0;
        CheckResult result;
        try
        {
            foreach (var (name, input) in cases)
            {
                count++;
                var expected = reference(input());
                TOut actual;
                try
                {
                    actual = learner(input());
                }
                catch (NotImplementedException)
                {
                    result = new CheckResult(exercise, false, "not implemented yet: replace the `throw new NotImplementedException()` with your code.", hint);
                    return Print(result);
                }
                catch (Exception error)
                {
                    result = new CheckResult(exercise, false, $"your code threw {error.GetType().Name} on case '{name}': {error.Message}", hint);
                    return Print(result);
                }
                if (!same(actual, expected))
                {
                    result = new CheckResult(exercise, false, $"case '{name}': expected {describe(expected)}, got {describe(actual)}.", hint);
                    return Print(result);
                }
            }
            result = new CheckResult(exercise, true, $"{count} case{(count == 1 ? "" : "s")} match the reference.", "");
        }
        catch (Exception error)
        {
            // A failure of the check itself (not of the learner's code) must still not stop the notebook.
            result = new CheckResult(exercise, false, $"the check could not run: {error.Message}", "Re-run the set-up cell, then this exercise.");
        }
        return Print(result);
    }

    private static CheckResult Print(CheckResult result)
    {
        Console.WriteLine(result.ToString());
        return result;
    }
}
