// The on-demand thumbnails' viewer-request function (CloudFront Functions, cloudfront-js-2.0), templated by
// modules/on-demand with the presets and formats. It turns /{preset}/{key} and the Accept header into the stored key
// of the variant, /{prefix}{size}/{key}{.format}: the path both origins of the group answer and the only part of
// the cache key. An unknown preset is refused here, before any origin is reached. With signing on, a size that is
// no preset (/{size}/{key}?sig=...) must carry a well-formed signature, which the function behind the URL checks
// against the secret (a CloudFront Function cannot read Secrets Manager, and a key in this code would be readable
// by anyone allowed cloudfront:DescribeFunction).
// Plain ES5 plus what runtime 2.0 documents; no module is required. Tested under Node by
// tests/module/on_demand/harness.js, which gives it CloudFront's event shape and nothing else.
var CONFIG = ${config};
var EXTENSIONS = { avif: ".avif", webp: ".webp", jpeg: ".jpg", png: ".png" };
var TYPES = { avif: "image/avif", webp: "image/webp", jpeg: "image/jpeg", png: "image/png" };
var PREFERRED = ["avif", "webp", "jpeg", "png"]; // when the browser accepts it
var FALLBACK = ["jpeg", "png", "webp", "avif"]; // when it names none of the enabled formats
var SIZE = /^[1-9][0-9]{0,4}(x[1-9][0-9]{0,4})?$/;
var SIGNATURE = /^[0-9a-f]{64}$/;

function refuse(status, description, reason) {
  return {
    statusCode: status,
    statusDescription: description,
    headers: {
      "content-type": { value: "text/plain; charset=utf-8" },
      "cache-control": { value: "no-store" },
      "x-thumbnail-refused": { value: reason }
    }
  };
}

function accepted(header) {
  var types = {};
  var parts = header.toLowerCase().split(",");
  for (var i = 0; i < parts.length; i++) {
    var fields = parts[i].split(";");
    var type = fields[0].trim();
    var quality = 1;
    for (var j = 1; j < fields.length; j++) {
      var parameter = fields[j].trim();
      if (parameter.indexOf("q=") === 0) {
        quality = parseFloat(parameter.substring(2));
      }
    }
    if (quality > 0) {
      types[type] = true;
    }
  }
  return types;
}

function negotiate(headers) {
  var types = accepted(headers.accept ? headers.accept.value : "");
  for (var i = 0; i < PREFERRED.length; i++) {
    if (CONFIG.formats.indexOf(PREFERRED[i]) >= 0 && types[TYPES[PREFERRED[i]]]) {
      return PREFERRED[i];
    }
  }
  for (var k = 0; k < FALLBACK.length; k++) {
    if (CONFIG.formats.indexOf(FALLBACK[k]) >= 0) {
      return FALLBACK[k];
    }
  }
  return CONFIG.formats[0];
}

function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var slash = uri.indexOf("/", 1);
  if (uri.charAt(0) !== "/" || slash < 0 || slash === uri.length - 1) {
    return refuse(400, "Bad Request", "ask for /{preset}/{key}");
  }
  var name = uri.substring(1, slash);
  var key = uri.substring(slash + 1);
  var size;
  if (Object.prototype.hasOwnProperty.call(CONFIG.presets, name)) {
    size = CONFIG.presets[name];
  } else if (CONFIG.signed && SIZE.test(name)) {
    var signature = request.querystring.sig;
    if (!signature || !SIGNATURE.test(signature.value)) {
      return refuse(403, "Forbidden", "a size that is no preset needs its signature (?sig=)");
    }
    request.headers["x-thumbnail-signature"] = { value: signature.value };
    size = name;
  } else {
    return refuse(400, "Bad Request", "unknown preset");
  }
  request.headers["x-thumbnail-viewer-path"] = { value: uri };
  request.uri = "/" + CONFIG.prefix + size + "/" + key + EXTENSIONS[negotiate(request.headers)];
  request.querystring = {};
  return request;
}
