using System.Diagnostics;
using PruningLab.Compression;
using PruningLab.Data;
using PruningLab.Experiments;
using PruningLab.Models;
using PruningLab.Quantization;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>
/// What a learner's compression of the capstone (exercise 9.1) returned, or the exception it threw, with what it used
/// of the library's reference and how long it took. It is made in an ordinary cell (which may train for minutes) and
/// judged by the check after it (which must be quick). It owns the model and the codes.
/// </summary>
public sealed class CompressionAttempt : IDisposable
{
    internal CompressionAttempt(nn.Module<Tensor, Tensor>? model, QuantizedModel? codes, Exception? error, IReadOnlyCollection<string> used, TimeSpan elapsed) =>
        (Model, Codes, Error, Used, Elapsed) = (model, codes, error, used, elapsed);

    /// <summary>The compressed network (null if the function threw).</summary>
    public nn.Module<Tensor, Tensor>? Model { get; }
    /// <summary>The codes of its quantized weights, if any (null: every weight is stored as fp32).</summary>
    public QuantizedModel? Codes { get; }
    /// <summary>What the function threw, or what it did wrong that could be seen at once (null if nothing).</summary>
    public Exception? Error { get; }
    /// <summary>The library's reference answers it called (see <see cref="ReferenceUse"/>).</summary>
    public IReadOnlyCollection<string> Used { get; }
    /// <summary>How long the function ran.</summary>
    public TimeSpan Elapsed { get; }
    /// <summary>Its measurement, once <see cref="Lesson09.Measure"/> has made it.</summary>
    public CompressionMeasurement? Measured { get; internal set; }
        /// <summary>True when it returned a network without an error.</summary>
    public bool Succeeded => Error is null && Model is not null;

    /// <summary>Frees the model and the codes.</summary>
    public void Dispose()
    {
        Codes?.Dispose();
        Model?.Dispose();
    }
}

/// <summary>A compressed network measured as the capstone measures every method.</summary>
/// <param name="Bits">Stored size: every weight tensor in its smallest format (Huffman-coded where quantized), every other parameter fp32.</param>
/// <param name="Ratio">How many times smaller than the dense network in fp32.</param>
/// <param name="Validation">Validation accuracy (0…1).</param>
/// <param name="Test">Test accuracy (0…1).</param>
public sealed record CompressionMeasurement(long Bits, double Ratio, double Validation, double Test);

/// <summary>
/// The capstone's final assignment (exercise 9.1): compress the small VGG, by any method of the course, to at least
/// <see cref="MinRatio"/> times smaller than its dense fp32 form (every bit counted as the comparison counts it, with
/// Huffman coding where the weights are quantized) at a test accuracy of at least <see cref="MinTestAccuracy"/>. Both
/// bars are set below what <see cref="Reference"/> reaches on seed 0 (lesson 09 prints it), with a margin.
/// </summary>
public static class Lesson09
{
    /// <summary>How many times smaller than dense fp32 the compressed network must be (the reference: about 23×).</summary>
    public const double MinRatio = 20;
    /// <summary>The test accuracy it must keep (the reference: about 89 %; the dense network: about 91 %).</summary>
    public const double MinTestAccuracy = 0.88;

    /// <summary>
    /// Runs the learner's <paramref name="compress"/> and keeps what it returned or threw. It fails the attempt if the
    /// dense model was changed: the lesson's other cells use it.
    /// </summary>
    public static CompressionAttempt Attempt(PretrainedModel dense, Func<(nn.Module<Tensor, Tensor> Model, QuantizedModel? Codes)> compress) =>
        Run(dense, compress, "Your Compress");

    /// <summary>The reference answer (<see cref="Reference"/>) as an attempt: what the lesson shows until exercise 9.1 passes.</summary>
    public static CompressionAttempt ReferenceAttempt(PretrainedModel dense, CourseData data, int seed = 0) =>
        Run(dense, () => Reference(dense, data, seed), "The reference");

    private static CompressionAttempt Run(PretrainedModel dense, Func<(nn.Module<Tensor, Tensor> Model, QuantizedModel? Codes)> compress, string who)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(compress);
        var before = dense.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        var clock = Stopwatch.StartNew();
        try
        {
            var ((model, codes), used) = ReferenceUse.Watch(compress);
            clock.Stop();
            var changed = before.Where(kv => !ExerciseCheck.Same(kv.Value, dense.Model.state_dict()[kv.Key])).Select(kv => kv.Key).ToList();
            Exception? error = changed.Count > 0
                ? ExerciseCheck.LearnerException.Plain($"your code changed the dense model ({string.Join(", ", changed.Take(3))}); compress a copy (ModelZoo.Copy).")
                : model is null ? ExerciseCheck.LearnerException.Plain("your code returned no model.")
                : ReferenceEquals(model, dense.Model) ? ExerciseCheck.LearnerException.Plain("you returned the dense model itself; return a compressed copy.")
                : null;
            Console.WriteLine(error is null ? $"{who} ran in {clock.Elapsed.TotalSeconds:F1} s." : $"{who}: {error.Message}");
            // The attempt owns what it holds, and so never the dense model.
            return new CompressionAttempt(ReferenceEquals(model, dense.Model) ? null : model, codes, error, used, clock.Elapsed);
        }
        catch (Exception error)
        {
            Console.WriteLine(error is NotImplementedException ? "Compress is not written yet (exercise 9.1): the lesson goes on with the reference."
                : $"{who} threw {error.GetType().Name}: {error.Message}");
            return new CompressionAttempt(null, null, error, [], clock.Elapsed);
        }
        finally
        {
            foreach (var copy in before.Values) copy.Dispose();
        }
    }

    /// <summary>
    /// The reference answer: the comparison's magnitude pruning at 90 % with its fine-tune (cached), then k-means
    /// weight sharing of the survivors with 31 centroids (5-bit codes). The lesson uses it until exercise 9.1 passes;
    /// the check refuses it as an answer.
    /// </summary>
    public static (nn.Module<Tensor, Tensor> Model, QuantizedModel? Codes) Reference(PretrainedModel dense, CourseData data, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(data);
        ReferenceUse.Note(ReferenceUse.Capstone);
        using var tuned = Comparison.FineTunedModel(dense, data, CapstoneStudy.Cnn, CompressionMethods.Magnitude, 0.9, seed);
        var model = ModelZoo.Copy(tuned.Model);
        return (model, ModelQuantization.KMeans(model, 5));
    }

    /// <summary>
    /// Measures the attempt's network as the capstone measures every method: the stored bits (Huffman coding where its
    /// weights are quantized) and how many times smaller than dense fp32, and its validation and test accuracy. It is
    /// measured once; later calls return the same numbers.
    /// </summary>
    /// <exception cref="InvalidOperationException">The attempt has no network (its function threw).</exception>
    public static CompressionMeasurement Measure(CompressionAttempt attempt, PretrainedModel dense, ImageDataset validation, ImageDataset test)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        if (attempt.Measured is { } known) return known;
        var model = attempt.Model ?? throw new InvalidOperationException("The attempt has no network to measure: its function threw.");
        using (var scope = NewDisposeScope())
        {
            model.eval();
            using var noGrad = no_grad();
            var shape = model.call(test.Images.narrow(0, 0, 2)).shape;
            if (!shape.SequenceEqual(new long[] { 2, 10 }))
                throw ExerciseCheck.LearnerException.Plain($"your network maps two images to [{string.Join(",", shape)}]; it must give [2,10], ten class scores per image.");
        }
        var parameters = model.state_dict();
        foreach (var (name, q) in attempt.Codes ?? [])
        {
            var weight = parameters.GetValueOrDefault(name)
                         ?? throw ExerciseCheck.LearnerException.Plain($"your codes name '{name}', which is not a parameter of your network.");
            if (!ExerciseCheck.Equal(weight, q.Values))
                throw ExerciseCheck.LearnerException.Plain($"the weights of '{name}' are not the values its codes stand for; quantize the network's weights in place (ModelQuantization does), or return no codes.");
        }
        var bits = CompressedSize.OfModel(model, attempt.Codes, huffman: true).Total;
        var ratio = dense.Model.parameters().Sum(p => p.numel()) * 32 / (double)bits;
        return attempt.Measured = new CompressionMeasurement(bits, ratio, Evaluator.Accuracy(model, validation), Evaluator.Accuracy(model, test));
    }

    /// <summary>
    /// Exercise 9.1: the network the learner's function returned is measured as the capstone measures every method —
    /// its size with every bit counted, its accuracy on <paramref name="test"/>, which the function was not to use.
    /// </summary>
    public static CheckResult CheckCompression(CompressionAttempt attempt, PretrainedModel dense, ImageDataset validation, ImageDataset test,
        double minRatio = MinRatio, double minAccuracy = MinTestAccuracy) =>
        ExerciseCheck.Run("9.1", "compress the CNN",
            $"A size {minRatio:F0}× smaller needs more than pruning: removing 90 % of the weights leaves 32-bit values and their indices. Combine a method of lessons 01–07 with a short fine-tune, then make every surviving value cheaper (lesson 08), and choose on the validation split.",
            () =>
            {
                ArgumentNullException.ThrowIfNull(attempt);
                ArgumentNullException.ThrowIfNull(dense);
                if (attempt.Error is ExerciseCheck.LearnerException plain) throw plain;
                if (attempt.Error is not null) throw new ExerciseCheck.LearnerException(null, attempt.Error);
                if (attempt.Used.Contains(ReferenceUse.Capstone))
                    throw ExerciseCheck.LearnerException.Plain($"your code calls {ReferenceUse.Capstone}, which is the answer itself. Build your own pipeline from the course's methods.");
                var (bits, ratio, validationAccuracy, testAccuracy) = Measure(attempt, dense, validation, test);
                return (ratio >= minRatio && testAccuracy >= minAccuracy,
                    $"{bits:N0} bits, {ratio:F1}× smaller than the dense fp32 network (needed: at least {minRatio:F0}×); test accuracy {testAccuracy:P2} " +
                    $"(needed: at least {minAccuracy:P1}); validation {validationAccuracy:P2}; your function ran {attempt.Elapsed.TotalSeconds:F0} s.");
            });
}
