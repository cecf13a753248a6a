using PruningLab.Data;
using PruningLab.Exercises;
using PruningLab.Models;
using PruningLab.Quantization;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Tests.Exercises;

/// <summary>
/// Exercise 9.1's check (the capstone's final assignment) on the committed sample and a small MLP 784-16-10 as the
/// dense network: a smaller network's size and accuracy are counted by hand, the bars decide, and every way an answer
/// can be wrong or dishonest fails with a message that says what was wrong.
/// </summary>
public class CapstoneCheckTests
{
    // 784-16-10: 784·16 + 16·10 weights and 16 + 10 biases; 784-8-10: 784·8 + 8·10 and 8 + 10. Random weights have no
    // exact zeros, so each tensor is cheapest dense: 32 bits per parameter.
    private const long DenseBits = 32 * (784 * 16 + 16 * 10 + 16 + 10), SmallBits = 32 * (784 * 8 + 8 * 10 + 8 + 10);

    private static PretrainedModel Dense(CourseData data)
    {
        var model = ModelZoo.Create(ModelZoo.Mlp(16), seed: 0);
        var history = Trainer.Fit(model, data.Train, data.Validation, new TrainingOptions { Epochs = 2, BatchSize = 64, Progress = ProgressDisplay.None });
        return new PretrainedModel(model, history, "", FromCache: false, Key: "capstone-check-test-mlp16");
    }

    // Accuracy by hand: the arg-max of each image's scores against its label.
    private static double HandAccuracy(nn.Module<Tensor, Tensor> model, ImageDataset data)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var scores = model.call(data.Images).data<float>().ToArray();
        var labels = data.Labels.data<long>().ToArray();
        var right = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var best = 0;
            for (var c = 1; c < 10; c++) if (scores[i * 10 + c] > scores[i * 10 + best]) best = c;
            if (best == labels[i]) right++;
        }
        return right / (double)labels.Length;
    }

    [Fact]
    public void A_smaller_network_is_measured_by_hand_counts_and_the_two_bars_decide()
    {
        using var data = CourseData.FashionMnist(DatasetSize.Sample);
        var dense = Dense(data);
        using var attempt = Lesson09.Attempt(dense, () =>
        {
            var small = ModelZoo.Create(ModelZoo.Mlp(8), seed: 1);
            Trainer.Fit(small, data.Train, data.Validation, new TrainingOptions { Epochs = 2, BatchSize = 64, Progress = ProgressDisplay.None });
            return (small, null);
        });
        Assert.True(attempt.Succeeded);
        var accuracy = HandAccuracy(attempt.Model!, data.Test);
        var ratio = DenseBits / (double)SmallBits;   // 1.998…

        var passed = Lesson09.CheckCompression(attempt, dense, data.Validation, data.Test, minRatio: 1.9, minAccuracy: accuracy - 1e-9);
        Assert.True(passed.Passed, passed.ToString());
        Assert.Contains($"{SmallBits:N0} bits, {ratio:F1}× smaller", passed.Message);
        Assert.Contains($"test accuracy {accuracy:P2}", passed.Message);
        var measured = Lesson09.Measure(attempt, dense, data.Validation, data.Test);
        Assert.Equal(SmallBits, measured.Bits);
        Assert.Equal(accuracy, measured.Test, 9);
        Assert.Equal(ratio, measured.Ratio, 12);
        Assert.Same(measured, Lesson09.Measure(attempt, dense, data.Validation, data.Test));   // measured once

        AssertFails(Lesson09.CheckCompression(attempt, dense, data.Validation, data.Test, minRatio: 2.1, minAccuracy: 0), "needed: at least 2×");
        AssertFails(Lesson09.CheckCompression(attempt, dense, data.Validation, data.Test, minRatio: 1, minAccuracy: accuracy + 0.001), "needed: at least");
        dense.Model.Dispose();
    }

    [Fact]
    public void Stubs_the_dense_model_an_edited_dense_model_wrong_codes_and_wrong_outputs_fail_with_the_reason()
    {
        using var data = CourseData.FashionMnist(DatasetSize.Sample);
        var dense = Dense(data);
        CheckResult Check(Func<(nn.Module<Tensor, Tensor>, QuantizedModel?)> compress)
        {
            using var attempt = Lesson09.Attempt(dense, compress);
            return Lesson09.CheckCompression(attempt, dense, data.Validation, data.Test, minRatio: 1, minAccuracy: 0);
        }

        var stub = Check(() => throw new NotImplementedException());
        Assert.False(stub.Passed);
        Assert.Contains("not implemented yet", stub.Message);
        Assert.NotEmpty(stub.Hint);
        AssertFails(Check(() => (dense.Model, null)), "the dense model itself");
        AssertFails(Check(() => throw new InvalidOperationException("boom")), "your code threw InvalidOperationException");

        // Pruning the dense model in place instead of a copy: caught, and said.
        var before = dense.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        AssertFails(Check(() =>
        {
            using (no_grad()) dense.Model.state_dict()["fc1.weight"].mul_(0);
            return (ModelZoo.Copy(dense.Model), null);
        }), "changed the dense model (fc1.weight)");
        using (no_grad()) foreach (var (name, value) in before) dense.Model.state_dict()[name].copy_(value);

        // Codes that are not the network's weights, or of a parameter it does not have.
        AssertFails(Check(() =>
        {
            var copy = ModelZoo.Copy(dense.Model);
            var codes = ModelQuantization.KMeans(copy, 3);
            using (no_grad()) copy.state_dict()["fc1.weight"].add_(0.1f);
            return (copy, codes);
        }), "'fc1.weight' are not the values its codes stand for");
        AssertFails(Check(() =>
        {
            var copy = ModelZoo.Copy(dense.Model);
            var codes = ModelQuantization.KMeans(copy, 3);
            codes["nope.weight"] = codes["fc2.weight"];
            codes.Remove("fc2.weight");
            return (copy, codes);
        }), "'nope.weight', which is not a parameter");
        // Five scores per image instead of ten.
        AssertFails(Check(() => (nn.Sequential(nn.Flatten(), nn.Linear(784, 5)), null)), "[2,5]");

        // The correctly quantized copy passes at ratio 1 and is many times smaller than fp32.
        using var quantized = Lesson09.Attempt(dense, () => { var copy = ModelZoo.Copy(dense.Model); return (copy, ModelQuantization.KMeans(copy, 3)); });
        Assert.True(Lesson09.CheckCompression(quantized, dense, data.Validation, data.Test, minRatio: 8, minAccuracy: 0).Passed);
        using var failed = Lesson09.Attempt(dense, () => throw new NotImplementedException());
        Assert.Throws<InvalidOperationException>(() => Lesson09.Measure(failed, dense, data.Validation, data.Test));
        foreach (var copy in before.Values) copy.Dispose();
        dense.Model.Dispose();
    }

    private static void AssertFails(CheckResult result, string expected)
    {
        Assert.False(result.Passed, result.ToString());
        Assert.Contains(expected, result.Message);
    }
}
