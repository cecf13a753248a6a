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
    public void CompareLive_prints_a_tick_within_the_tolerance_and_a_cross_beyond()
    {
        var results = Results(new Measurement("m", 0.9, 0, 0.9, 0.80, 0.85, 4));
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            Assert.Equal(0.002, results.CompareLive([new Measurement("m", 0.9, 0, 0.9, 0.802, 0.85, 4)], tolerance: 0.005), 12);
            Assert.Equal(0.01, results.CompareLive([new Measurement("m", 0.9, 0, 0.9, 0.80, 0.86, 4)], tolerance: 0.005), 12);
            results.CompareLive([new Measurement("m", 0.5, 0, 0.5, 0.80, 0.86, 4)], tolerance: 0.005);
        }
        finally
        {
            Console.SetOut(console);
        }
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
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
