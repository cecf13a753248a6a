using static System.FormattableString;

namespace PruningLab.Experiments;

/// <summary>
/// How a lesson compares what it measured now with the stored runs of the same seed: the largest difference of
/// validation or test accuracy over the pairs found, and one printed line — ✓ when every pair agrees within the
/// tolerance and nothing was missing from the store, ✗ otherwise (the lesson's test fails on a ✗).
/// </summary>
internal static class LiveVsStored
{
    /// <summary>Compares each live item with its stored twin (null: not stored), prints the line and returns the largest difference.</summary>
    /// <param name="what">What was compared, as printed after "live vs stored" (e.g. " (lesson02)", or "").</param>
    /// <param name="noun">What the items are called, e.g. "measurements".</param>
    /// <param name="live">What was measured now.</param>
    /// <param name="stored">The stored twin of an item, or null if the store lacks it.</param>
    /// <param name="accuracies">An item's validation and test accuracy (0…1).</param>
    /// <param name="describe">An item in a few words, for the list of what is not stored.</param>
    /// <param name="tolerance">The largest difference that still agrees (absolute, 0…1).</param>
    public static double Compare<T>(string what, string noun, IEnumerable<T> live, Func<T, T?> stored, Func<T, (double Validation, double Test)> accuracies,
        Func<T, string> describe, double tolerance) where T : class
    {
        var worst = 0.0;
        var count = 0;
        var missing = new List<string>();
        foreach (var now in live)
        {
            if (stored(now) is not { } then) { missing.Add(describe(now)); continue; }
            var (a, b) = (accuracies(now), accuracies(then));
            worst = Math.Max(worst, Math.Max(Math.Abs(a.Test - b.Test), Math.Abs(a.Validation - b.Validation)));
            count++;
        }
        var ok = missing.Count == 0 && count > 0 && worst <= tolerance;
        Console.WriteLine((ok ? "✓" : "✗") + Invariant($" live vs stored{what}: {count} {noun} ") + "of this run against the stored ones of the same seed; " +
                          Invariant($"largest difference {worst * 100:F2} points (tolerance {tolerance * 100:F1})") +
                          (missing.Count > 0 ? $"; not stored: {string.Join(", ", missing)}" : "") + ".");
        return worst;
    }
}
