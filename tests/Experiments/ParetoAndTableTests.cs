using PruningLab.Experiments;

namespace PruningLab.Tests.Experiments;

/// <summary>
/// The Pareto front on points whose front is read off by hand, and the comparison table's text and live-vs-stored
/// comparison on rows written here.
/// </summary>
public class ParetoAndTableTests
{
    [Fact]
    public void The_front_keeps_exactly_the_points_nothing_beats_on_both_counts()
    {
        // (cost, value): (2, 0.6) loses to (2, 0.7); (3, 0.65) to (2, 0.7); (5, 0.9) to (4, 0.9); (4, 0.9) is kept once.
        (double Cost, double Value)[] points = [(3, 0.65), (1, 0.5), (2, 0.6), (4, 0.9), (2, 0.7), (0.5, 0.4), (5, 0.9), (4, 0.9)];
        var front = Pareto.Front(points, p => p.Cost, p => p.Value);
        Assert.Equal([(0.5, 0.4), (1, 0.5), (2, 0.7), (4, 0.9)], front);
        Assert.Empty(Pareto.Front(Array.Empty<(double, double)>(), p => p.Item1, p => p.Item2));
        Assert.Throws<ArgumentException>(() => Pareto.Front(points, p => p.Cost, p => p.Cost > 4 ? double.NaN : p.Value));
    }

    private static ComparisonRow Row(string method, string mode, int seed, double test, double validation = 0.8, long bits = 100, double latency = 2) =>
        new("net", method, mode, 0.5, seed, 0.5, validation, test, bits, 400, latency, 4);

    [Fact]
    public void The_text_table_shows_both_modes_per_setting_and_live_rows_are_compared_with_the_stored_ones_of_their_seed()
    {
        var table = new ComparisonTable([
            Row("magnitude", Comparison.OneShot, 0, 0.80), Row("magnitude", Comparison.OneShot, 1, 0.84),
            Row("magnitude", Comparison.FineTuned, 0, 0.90), Row("magnitude", Comparison.FineTuned, 1, 0.90, latency: 1),
        ]);
        // One-shot: mean 82.00, sd √((2² + 2²)/1) = 2.83; fine-tuned 90.00 ± 0.00; 400/100 = 4× smaller; speed-ups 2 and 4, median 3.
        var line = table.Text("net").Split('\n').Single(l => l.StartsWith("magnitude"));
        Assert.Matches(@"magnitude\s+50%\s+82\.00 ± 2\.83\s+90\.00 ± 0\.00\s+4\.00×\s+3\.00×", line);
        Assert.Throws<KeyNotFoundException>(() => table.Text("other"));

        var lines = ConsoleOutput.Lines(() =>
        {
            // Seed 1 one-shot: test 0.84 stored, 0.844 live; validation 0.8 both: largest difference 0.004.
            Assert.Equal(0.004, table.CompareLive([Row("magnitude", Comparison.OneShot, 1, 0.844)], tolerance: 0.005), 12);
            Assert.Equal(0.01, table.CompareLive([Row("magnitude", Comparison.FineTuned, 0, 0.90, validation: 0.81)], tolerance: 0.005), 12);
            table.CompareLive([Row("magnitude", Comparison.FineTuned, 2, 0.90)], tolerance: 0.005);
        });
        Assert.StartsWith("✓ live vs stored: 1 rows", lines[0]);
        Assert.StartsWith("✗ live vs stored: 1 rows", lines[1]);
        Assert.Contains("largest difference 1.00 points", lines[1]);
        Assert.StartsWith("✗ live vs stored: 0 rows", lines[2]);
        Assert.Contains("not stored: net magnitude fine-tuned 0.5 seed 2", lines[2]);
    }
}
