namespace PruningLab.Charts;

/// <summary>Equal-width histogram counts over a shared range.</summary>
/// <param name="Start">Left edge of the first bin.</param>
/// <param name="Width">Width of every bin.</param>
/// <param name="Counts">Number of values per bin.</param>
public sealed record HistogramBins(double Start, double Width, long[] Counts)
{
    /// <summary>Centre of each bin, for drawing the counts as bars.</summary>
    public double[] Centers => Enumerable.Range(0, Counts.Length).Select(i => Start + (i + 0.5) * Width).ToArray();

    /// <summary>
    /// Counts <paramref name="values"/> into <paramref name="bins"/> bins spanning [<paramref name="min"/>, <paramref name="max"/>].
    /// Binning happens here rather than in the browser so a layer with millions of weights
    /// becomes a few hundred numbers in the HTML instead of megabytes of raw values.
    /// </summary>
    /// <param name="values">Values to count; NaN values are skipped.</param>
    /// <param name="bins">Number of bins (at least 1).</param>
    /// <param name="min">Lower edge of the range.</param>
    /// <param name="max">Upper edge of the range (values equal to it land in the last bin).</param>
    /// <param name="excludeZeros">Skip exact zeros, i.e. pruned weights whose spike would flatten the rest.</param>
    public static HistogramBins Compute(IEnumerable<float> values, int bins, double min, double max, bool excludeZeros = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        // A degenerate range (all values equal) still gets a visible bin.
        double width = max > min ? (max - min) / bins : 1.0 / bins;
        double start = max > min ? min : min - 0.5;
        var counts = new long[bins];
        foreach (var v in values)
        {
            if (float.IsNaN(v) || (excludeZeros && v == 0f)) continue;
            int i = (int)Math.Floor((v - start) / width);
            counts[Math.Clamp(i, 0, bins - 1)]++;
        }
        return new HistogramBins(start, width, counts);
    }
}
