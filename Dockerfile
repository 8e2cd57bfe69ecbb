# syntax=docker/dockerfile:1
#
# RetinaSynth image, CPU or CUDA, from one Dockerfile and the same application jar:
#   docker build -t retinasynth:cpu  .
#   docker build -t retinasynth:cuda --build-arg FLAVOR=cuda .
# Both run DJL 0.36 on libtorch 2.7.1. The CPU image unpacks libtorch from the Maven Central jar
# the build already resolved; the CUDA image takes libtorch 2.7.1+cu128 from the official PyTorch
# runtime image, because Maven Central carries no CUDA libtorch 2.7.1 (see docs/deploy.md).
# libtorch is a layer of its own and DJL's JNI library is unpacked at build time into a cache
# baked into the image: nothing is downloaded or unpacked when a container starts.

ARG FLAVOR=cpu

FROM eclipse-temurin:17.0.15_6-jdk-jammy AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q dependency:go-offline
COPY src/ src/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests package \
 && java -Djarmode=tools -jar target/retinasynth-*.jar extract --layers --launcher --destination /layers
# libtorch (CPU) out of the application's libraries into a directory of its own.
RUN mkdir -p /opt/libtorch-cpu && cd /opt/libtorch-cpu \
 && jar xf /layers/dependencies/BOOT-INF/lib/pytorch-native-cpu-*-linux-x86_64.jar pytorch/cpu/linux-x86_64/ \
 && mv pytorch/cpu/linux-x86_64/* . && rm -rf pytorch \
 && rm /layers/dependencies/BOOT-INF/lib/pytorch-native-cpu-*.jar

FROM eclipse-temurin:17.0.15_6-jre-jammy AS runtime-cpu
COPY --from=build /opt/libtorch-cpu/ /opt/libtorch/
ENV PYTORCH_FLAVOR=cpu

FROM pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime AS runtime-cuda
COPY --from=eclipse-temurin:17.0.15_6-jre-jammy /opt/java/openjdk/ /opt/java/openjdk/
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH \
    PYTORCH_FLAVOR=cu128 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
# DJL loads the libtorch that this image's PyTorch wheel ships (CUDA libraries found by its rpath).
RUN ln -s "$(python -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')" /opt/libtorch

FROM runtime-${FLAVOR} AS final
ENV PYTORCH_LIBRARY_PATH=/opt/libtorch \
    PYTORCH_VERSION=2.7.1 \
    DJL_CACHE_DIR=/opt/djl-cache \
    ENGINE_CACHE_DIR=/opt/djl-cache \
    RETINASYNTH_DATA_DIR=/data \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Djava.awt.headless=true"
RUN groupadd --system --gid 10001 retinasynth \
 && useradd --system --uid 10001 --gid retinasynth --home-dir /app --shell /usr/sbin/nologin retinasynth \
 && mkdir -p /data /opt/djl-cache && chown retinasynth:retinasynth /data
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
# Unpacks DJL's JNI library into the baked cache and proves libtorch loads (no GPU needed).
RUN java -cp "/app/BOOT-INF/classes:/app/BOOT-INF/lib/*" org.retinasynth.model.TorchRuntime \
 && chmod -R a+rX /opt/djl-cache
USER 10001:10001
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=4 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /actuator/health/liveness HTTP/1.0\r\n\r\n" >&3 && grep -q "\"UP\"" <&3'
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
