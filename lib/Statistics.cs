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

    /// <summary>
    /// Spearman's rank correlation: the Pearson correlation of the two samples' ranks, ties given their average rank.
    /// 1 when one sample orders the items exactly as the other, −1 when exactly the reverse.
    /// </summary>
    /// <exception cref="ArgumentException">Samples of different lengths, fewer than two values, or a sample whose values are all equal.</exception>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count || a.Count < 2)
            throw new ArgumentException($"Spearman's correlation needs two samples of the same length, at least 2; got {a.Count} and {b.Count}.", nameof(b));
        var (ra, rb) = (Ranks(a), Ranks(b));
        var (ma, mb) = (ra.Average(), rb.Average());
        double covariance = 0, va = 0, vb = 0;
        for (var i = 0; i < ra.Length; i++)
        {
            covariance += (ra[i] - ma) * (rb[i] - mb);
            va += (ra[i] - ma) * (ra[i] - ma);
            vb += (rb[i] - mb) * (rb[i] - mb);
        }
        if (va == 0 || vb == 0) throw new ArgumentException("A sample whose values are all equal has no ranking to correlate.", nameof(b));
        return covariance / Math.Sqrt(va * vb);
    }

    // 1-based ranks, ties sharing the mean of the ranks they span.
    private static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            for (var k = start; k <= end; k++) ranks[order[k]] = (start + end) / 2.0 + 1;
            start = end + 1;
        }
        return ranks;
    }
}
