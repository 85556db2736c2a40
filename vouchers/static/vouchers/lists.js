// The admin's lists on a laptop: below 1600 px wide, Django's navigation sidebar starts closed
// so that a list and its filters fit without sideways scrolling (the sidebar's toggle opens it,
// and Django keeps that choice). A static file, as the Content-Security-Policy requires; it runs
// before Django's nav_sidebar.js (deferred), which reads the same setting.
"use strict";
{
    const key = "django.admin.navSidebarIsOpen";
    if (window.innerWidth < 1600 && localStorage.getItem(key) === null) {
        localStorage.setItem(key, "false");
    }
}
