namespace PruningLab;

/// <summary>Small descriptive statistics used by reports and benchmarks.</summary>
public static class Statistics
{
    /// <summary>The median of a non-empty sequence (mean of the two middle values for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("The median of an empty sequence is undefined.", nameof(values));
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
