# %%
# In a fresh hosted notebook (Colab, Kaggle), remove the "#" before %pip and
# run this cell first: it installs kerasteach (or the wheel your teacher gives).
# # %pip install kerasteach

# %% [markdown]
# # 4. notMNIST: letters A to J in strange fonts
#
# Same size as MNIST (28x28, grey, ten classes), but the "digits" are letters
# drawn in hundreds of fonts, some barely readable: the classic exercise in
# "harder than MNIST". First logistic regression, then a small CNN.

# %%
import kerasteach.quiet  # first, before Keras: no TensorFlow start-up messages

import keras
from kerasteach.course import load_images, options, output_folder, save_results, score

import kerasteach

args = options("notMNIST: logistic regression and a small CNN", epochs=10)
out = output_folder(args, "04_notmnist")
data = load_images("notmnist_small", args.quick, normalize=True, channels="last")
(x_train, y_train), (x_test, y_test) = data
print(x_train.shape, "classes:", " ".join(data.class_names))


# %%
def train(model: keras.Model) -> float:
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(
        x_train,
        y_train,
        epochs=args.epochs,
        batch_size=128,
        validation_split=0.1,
        verbose=0,
        callbacks=[kerasteach.TqdmProgress()],
    )
    return model.evaluate(x_test, y_test, verbose=0)[1]


keras.utils.set_random_seed(0)
logistic = keras.Sequential(
    [
        keras.Input((28, 28, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ],
    name="logistic_regression",
)
cnn = keras.Sequential(
    [
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu", name="conv1"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu", name="conv2"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax", name="letter"),
    ],
    name="notmnist_cnn",
)
results = {"logistic regression": train(logistic), "CNN": train(cnn)}
for name, accuracy in results.items():
    print(f"{name:>20}: test accuracy {score(data, accuracy)}")

# %% [markdown]
# Which letters does the CNN mix up? The activation report shows, for a few
# test letters, the top predictions and every layer.

# %%
kerasteach.activation_report(
    cnn, x_test[:8], out / "report.html", data.class_names, labels=y_test[:8]
)
save_results(out, results)
