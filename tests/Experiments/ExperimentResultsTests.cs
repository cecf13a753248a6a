using PruningLab.Experiments;

namespace PruningLab.Tests.Experiments;

public class ExperimentResultsTests
{
    private static ExperimentResults Results(params Measurement[] rows) =>
        new("test", "a test", new Provenance("cmd", [0, 1, 2], new Dictionary<string, string>(), new Dictionary<string, string>(), "m", DateTimeOffset.UnixEpoch, 1, null), rows);

    [Fact]
    public void Spread_is_the_mean_and_the_sample_standard_deviation()
    {
        // 0.88, 0.89, 0.90: mean 0.89, deviations ±0.01 → sd = sqrt((0.0001 + 0 + 0.0001) / 2) = 0.01.
        var results = Results(new("m", 0.9, 0, 0.9, 0.5, 0.88, 4), new("m", 0.9, 1, 0.9, 0.5, 0.89, 4), new("m", 0.9, 2, 0.9, 0.5, 0.90, 4), new("m", 0.5, 0, 0.5, 0.5, 0.7, 4));
        var spread = results.Spread("m", 0.9);
        Assert.Equal(0.89, spread.Mean, 12);
        Assert.Equal(0.01, spread.Sd, 12);
        Assert.Equal(3, spread.Count);
        Assert.Equal("89.00 ± 1.00 %", spread.Percent());
        Assert.Equal(0.5, results.Spread("m", 0.9, r => r.Validation).Mean);
        Assert.Equal(0, results.Spread("m", 0.5).Sd);
        Assert.Equal([0.5, 0.9], results.Settings("m"));
        var error = Assert.Throws<KeyNotFoundException>(() => results.Spread("m", 0.7));
        Assert.Contains("settings of 'm': 0.5, 0.9", error.Message);
    }

    [Fact]
    public void Curve_puts_x_at_the_setting_or_at_the_mean_of_another_quantity()
    {
        // Setting 0.3 (a share of channels) removed 0.50 and 0.52 of the weights in two seeds: x = 51.
        var results = Results(new("c", 0.3, 0, 0.50, 0.6, 0.61, 0), new("c", 0.3, 1, 0.52, 0.8, 0.79, 0));
        var bySetting = Assert.Single(results.Curve("c", m => m.Validation * 100));
        Assert.Equal((30.0, 70.0), (bySetting.X, bySetting.Mean), new ToleranceComparer());
        var bySparsity = Assert.Single(results.Curve("c", m => m.Validation * 100, x: m => m.Sparsity * 100));
        Assert.Equal(51, bySparsity.X, 9);
        Assert.Equal(Math.Sqrt(200), bySparsity.Sd, 9);   // 60 and 80: sd = sqrt((100 + 100) / 1)
    }

    private sealed class ToleranceComparer : IEqualityComparer<(double, double)>
    {
        public bool Equals((double, double) a, (double, double) b) => Math.Abs(a.Item1 - b.Item1) < 1e-9 && Math.Abs(a.Item2 - b.Item2) < 1e-9;
        public int GetHashCode((double, double) value) => 0;
    }

    [Fact]
    public void CompareLive_prints_a_tick_within_the_tolerance_and_a_cross_beyond()
    {
        var results = Results(new Measurement("m", 0.9, 0, 0.9, 0.80, 0.85, 4));
        var lines = ConsoleOutput.Lines(() =>
        {
            Assert.Equal(0.002, results.CompareLive([new Measurement("m", 0.9, 0, 0.9, 0.802, 0.85, 4)], tolerance: 0.005), 12);
            Assert.Equal(0.01, results.CompareLive([new Measurement("m", 0.9, 0, 0.9, 0.80, 0.86, 4)], tolerance: 0.005), 12);
            results.CompareLive([new Measurement("m", 0.5, 0, 0.5, 0.80, 0.86, 4)], tolerance: 0.005);
        });
        Assert.StartsWith("✓", lines[0]);
        Assert.StartsWith("✗", lines[1]);
        Assert.Contains("largest difference 1.00 points", lines[1]);
        Assert.StartsWith("✗", lines[2]);
        Assert.Contains("not stored: m at 0.5", lines[2]);
    }

    [Fact]
    public void Results_round_trip_through_their_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pruninglab-results-{Guid.NewGuid():N}.json");
        try
        {
            var results = Results(new Measurement("m", 0.9, 0, 0.9, 0.80, 0.85, 4));
            results.Save(path);
            var text = File.ReadAllText(path);
            Assert.Contains("\"Command\": \"cmd\"", text);
            var loaded = System.Text.Json.JsonSerializer.Deserialize<ExperimentResults>(text)!;
            Assert.Equal(results.Measurements, loaded.Measurements);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
