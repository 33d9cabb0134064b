# syntax=docker/dockerfile:1
# keyward's container image:  docker build -t keyward:0.1.0 .
#
# The build stage runs only the project's own scripts, the ones the README
# and CI use, so the image runs the code the tests tested. The runtime stage
# is Debian 12 slim plus exactly the packages that provide the binary's
# shared libraries, as listed by scripts/runtime-packages.sh (ldd, then
# dpkg-query -S) in the build stage: the list can never go stale.

FROM debian:12 AS build
WORKDIR /src
COPY . .
# The same script CI runs (outside a container) on every submission.
RUN scripts/image-build-stage.sh /build /out

FROM debian:12-slim
COPY --from=build /out/runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive xargs -a /tmp/runtime-packages.txt \
      apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt
COPY --from=build /out/keyward /usr/local/bin/keyward
# The chart's pods run as this user (securityContext.runAsUser); no home,
# no shell needed.
USER 65532:65532
EXPOSE 8443 8080
ENTRYPOINT ["keyward"]
CMD ["--help"]
