namespace PruningLab.Tests;

/// <summary>Spearman's rank correlation against values worked out by hand.</summary>
public class StatisticsTests
{
    [Fact]
    public void Spearman_is_the_correlation_of_ranks_with_ties_sharing_their_average_rank()
    {
        Assert.Equal(1, Statistics.Spearman([1, 2, 3, 4], [10, 20, 30, 400]), 12);     // same order, any scale
        Assert.Equal(-1, Statistics.Spearman([1, 2, 3, 4], [4, 3, 2, 1]), 12);
        // Ranks 1, 2.5, 2.5, 4 against 1, 2, 3, 4: covariance 4.5, variances 4.5 and 5, so 4.5 / √22.5.
        Assert.Equal(4.5 / Math.Sqrt(22.5), Statistics.Spearman([1, 2, 2, 3], [1, 2, 3, 4]), 12);
        Assert.Throws<ArgumentException>(() => Statistics.Spearman([1, 2], [1, 2, 3]));
        Assert.Contains("all equal", Assert.Throws<ArgumentException>(() => Statistics.Spearman([5, 5, 5], [1, 2, 3])).Message);
    }
}
