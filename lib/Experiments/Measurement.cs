using PruningLab.Data;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Experiments;

/// <summary>One configuration of one seed, measured: the row of every experiment table.</summary>
/// <param name="Method">What was done, e.g. "one-shot + fine-tune" (the constants of the study that made it).</param>
/// <param name="Setting">The varied setting: the target sparsity for most methods, else what the method's name says.</param>
/// <param name="Seed">The seed of the base model and of the training runs.</param>
/// <param name="Sparsity">The fraction of prunable weights that are zero at the end.</param>
/// <param name="Validation">Accuracy on the validation split (0…1): what choices are made on.</param>
/// <param name="Test">Accuracy on the test split (0…1): what is reported.</param>
/// <param name="Epochs">Training epochs spent by the method on top of its starting point.</param>
/// <param name="Bits">The stored model's size in bits, every layer in its smallest format, where the study counts it (lesson 08).</param>
/// <param name="HuffmanBits">The same with Huffman coding of values and indices, tables included.</param>
public sealed record Measurement(string Method, double Setting, int Seed, double Sparsity, double Validation, double Test, double Epochs,
    long? Bits = null, long? HuffmanBits = null)
{
    /// <summary>Measures <paramref name="model"/>: its accuracy on the validation and on the test split.</summary>
    public static Measurement Of(string method, double setting, int seed, nn.Module<Tensor, Tensor> model, double sparsity,
        CourseData data, double epochs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        return new(method, setting, seed, sparsity, Evaluator.Accuracy(model, data.Validation), Evaluator.Accuracy(model, data.Test), epochs);
    }
}

/// <summary>Mean and sample standard deviation of one quantity over seeds.</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Sd">The sample standard deviation (n − 1); 0 for one value.</param>
/// <param name="Count">How many values.</param>
public sealed record Spread(double Mean, double Sd, int Count)
{
    /// <summary>The spread of <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static Spread Of(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0) throw new ArgumentException("No values to summarise.", nameof(values));
        var mean = v.Average();
        var sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return new Spread(mean, sd, v.Length);
    }

    /// <summary>As a difference of accuracies in points, e.g. "+0.42 ± 0.11 points" (for differences given as fractions).</summary>
    public string Points(int decimals = 2) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, $"{{0:+0.{new string('0', decimals)};-0.{new string('0', decimals)};0.{new string('0', decimals)}}} ± {{1:F{decimals}}} points", Mean * 100, Sd * 100);

    /// <summary>As percentages, e.g. "89.42 ± 0.11 %" (for accuracies given as fractions).</summary>
    public string Percent(int decimals = 2) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, $"{{0:F{decimals}}} ± {{1:F{decimals}}} %", Mean * 100, Sd * 100);
}
