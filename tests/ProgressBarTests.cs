namespace PruningLab.Tests;

public class ProgressBarTests
{
    [Fact]
    public void Draws_the_fraction_and_total_then_ends_the_line()
    {
        var output = new StringWriter();
        var bar = new ProgressBar(output, "download", 4 * 1_048_576, ProgressBar.Megabytes);
        bar.Report(2 * 1_048_576);
        bar.Finish(4 * 1_048_576);
        var text = output.ToString();
        Assert.Contains("download [" + new string('#', 15) + new string('.', 15) + "] 2.0 MB/4.0 MB", text);
        Assert.Contains("[" + new string('#', 30) + "] 4.0 MB/4.0 MB", text);
        Assert.EndsWith(Environment.NewLine, text);
    }

    [Fact]
    public void Redraws_at_most_ten_times_a_second_and_is_silent_without_a_writer()
    {
        var output = new StringWriter();
        var bar = new ProgressBar(output, "epoch", 1000);
        for (var i = 1; i <= 1000; i++) bar.Report(i);
        Assert.Equal(1, output.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries).Length);
        var silent = new ProgressBar(null, "epoch", 10);
        silent.Report(5);
        silent.Finish(10);   // nothing to assert but that it does not throw: there is no writer to draw on
    }

    [Fact]
    public void Without_a_total_only_the_count_is_shown()
    {
        var output = new StringWriter();
        new ProgressBar(output, "download", null, ProgressBar.Megabytes).Finish(3 * 1_048_576);
        Assert.StartsWith("\rdownload 3.0 MB", output.ToString());
        Assert.DoesNotContain("[", output.ToString());
    }
}
