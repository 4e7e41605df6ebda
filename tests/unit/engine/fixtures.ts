/**
 * Invented news copy for the engine tests (no real outlets or events). The mill-fire pair is one
 * event told by two outlets in different words sharing names, numbers and a quote; the paper-works
 * fire is the same kind of event elsewhere; the Gazette articles share publisher furniture.
 */
import type { Article } from '../../../src/engine/types.js';

export const millFireHarbor: Article = {
  id: 'harbor-1',
  source: 'harbor-daily.test',
  title: 'Fire guts historic Brennan Textile Mill in Quillsby',
  publishedAt: '2031-03-04T08:00:00Z',
  text: `A fire tore through the historic Brennan Textile Mill in Quillsby late on Monday, destroying the main weaving hall built in 1887.
All 47 workers on the night shift escaped unharmed, fire chief Dario Pellegrini said, crediting a new alarm system installed last spring.
Crews from four stations fought the blaze for six hours before bringing it under control shortly after dawn.
Owners put the damage at 3.2 million dollars and said the looms in the east wing might be saved.
Mayor Ottilie Farnsworth visited the smouldering site on Tuesday morning. "We lost a building, not our people," she said.
Investigators from the county fire marshal's office will examine the old boiler room, where witnesses first saw smoke.`,
};

export const millFireValley: Article = {
  id: 'valley-1',
  source: 'valley-times.test',
  title: "Quillsby's Brennan mill burns; 47 night-shift workers safe",
  publishedAt: '2031-03-04T11:30:00Z',
  text: `Quillsby woke on Tuesday to a blackened shell where the Brennan Textile Mill's weaving hall had stood since 1887.
The fire broke out on Monday night, and every one of the 47 employees working the overnight shift got out, according to fire chief Dario Pellegrini.
Pellegrini said the alarm system fitted a year ago gave staff the minutes they needed.
Firefighters battled the flames until about sunrise. The mill's owners estimate losses of 3.2 million dollars.
"We lost a building, not our people," Mayor Ottilie Farnsworth told reporters outside the gates.
The county fire marshal is looking at the boiler room as the possible origin.`,
};

/** The same mill, owners and mayor a week after the fire: a different event (the rebuilding vote). */
export const millRebuildWeekLater: Article = {
  id: 'harbor-2',
  source: 'harbor-daily.test',
  title: 'Brennan Textile Mill owners vote to rebuild in Quillsby',
  publishedAt: '2031-03-11T09:00:00Z',
  text: `The owners of the Brennan Textile Mill voted on Monday to rebuild in Quillsby rather than move production to their plant in Tarrow.
Managing director Ines Varga said the new hall would open in eighteen months and cost about 9 million dollars, partly covered by insurance.
Mayor Ottilie Farnsworth welcomed the decision and said the council would fast-track planning permission.
Local suppliers had feared the mill would not return; the wool merchant Corbin & Sons said the news saved a dozen jobs of its own.`,
};

export const paperWorksFire: Article = {
  id: 'ridge-1',
  source: 'ridge-herald.test',
  title: 'Blaze destroys Carrow Paper Works warehouse in Lindholt',
  publishedAt: '2031-03-05T09:00:00Z',
  text: `Fire destroyed a warehouse at the Carrow Paper Works in Lindholt on Wednesday afternoon, sending thick smoke over the river district.
Twelve employees were evacuated and two were treated for smoke inhalation, said Lindholt fire captain Maren Oakes.
The warehouse held rolls of newsprint bound for printers across the region, and the loss was estimated at 800,000 dollars.
Oakes said a forklift battery charging station was being examined as a possible cause.
Council member Teodor Brask said the company had promised to rebuild and keep its 230 jobs in Lindholt.`,
};

/** Furniture every Gazette page carries: a donation appeal, gallery captions and "Read more" lines. */
function gazette(id: string, title: string, body: string, caption: string): Article {
  return {
    id,
    source: 'fenwick-gazette.test',
    title,
    publishedAt: '2031-05-10T07:00:00Z',
    text: `${body}
Open image in gallery ${caption}
Read more: The Gazette's guide to weekend events in Fenwick County
Our journalism is free to read for everyone. Please consider making a donation to support independent journalism in Fenwick County today.
Read more: Letters to the editor`,
  };
}

export const gazetteArticles: Article[] = [
  gazette(
    'gazette-bridge',
    'Ashby Creek bridge closed after inspectors find cracked girders',
    `Engineers closed the Ashby Creek bridge on Route 9 on Friday after an inspection found cracks in two steel girders.
Drivers face a detour of about eleven miles through Halden while repairs are planned, the state transport office said.
The 1958 span carries roughly 6,400 vehicles a day. Inspector Lorna Quist said the cracks were "not something we could wait on."`,
    'Inspectors examine the underside of the Ashby Creek bridge',
  ),
  gazette(
    'gazette-budget',
    'Fenwick school board approves budget with twelve new teaching posts',
    `The Fenwick school board voted five to two on Thursday to approve a 41 million dollar budget that adds twelve teaching posts.
Board chair Amadou Kessler said the new posts would cut average class sizes at Marlow Elementary from 29 pupils to 24.
Two members opposed the plan, arguing that the district's bus contract should have been renegotiated first.`,
    'Board chair Amadou Kessler speaks during the budget vote',
  ),
  gazette(
    'gazette-marathon',
    'Runner from Halden wins the Fenwick Valley marathon in record time',
    `Priya Lindqvist of Halden won the Fenwick Valley marathon on Sunday in two hours 31 minutes, breaking the course record by four minutes.
More than 1,900 runners started the race at the old quarry and finished on Mill Street, where crowds lined the last mile.
Lindqvist, a 34-year-old physiotherapist, said she had trained on the same hills since she was a teenager.`,
    'Priya Lindqvist crosses the finish line on Mill Street',
  ),
  gazette(
    'gazette-zoo',
    'Otter pups born at Brackwater wildlife park',
    `Three otter pups were born at the Brackwater wildlife park, keepers announced on Saturday, the first births there in nine years.
The pups, two females and a male, will stay in their den with their mother, Nessa, until early summer, head keeper Jonas Ferreira said.
Visitors can follow the family on a camera in the otter house, which the park installed after a fundraising drive.`,
    'The otter pups with their mother Nessa in the den',
  ),
];

/**
 * Two short Gazette items whose only common ground is "road" (boosted twice over, as part of the
 * names "Station Road" and "Church Road") and a council: a match one term carries.
 */
export const gazetteShortItems: Article[] = [
  gazette(
    'gazette-water-main',
    'Station Road shut for six weeks of water main repairs',
    `Station Road will close to traffic from Monday for six weeks while the water company replaces a burst main.
Buses will divert through the industrial estate and the Saturday market moves to the car park behind the library.
Shopkeepers fear losing trade before Christmas and asked the council for free parking.`,
    'Workers dig up the burst main',
  ),
  gazette(
    'gazette-letter-pavements',
    'Letters: our pavements need rules, not bans',
    `A reader asks the parish council to paint a cycle lane on Church Road, where speeding bicycles share a narrow pavement with walkers.
Her elderly neighbour was knocked over outside the post office last month by a teenager who did not stop.`,
    'The narrow pavement outside the post office',
  ),
];

/**
 * One town paper's different stories, naming its town, high street and council as such papers do
 * in nearly every item, a radio desk's rewrite of the first and the paper's own follow-up of it.
 */
export const wrenfieldCarPark: Article = {
  id: 'wrenfield-1',
  source: 'wrenfield-post.test',
  title: 'Wrenfield council approves 140-space car park behind Tanner Street',
  publishedAt: '2031-04-07T08:00:00Z',
  text: `Wrenfield Town Council voted on Monday evening to build a 140-space car park on the old bus depot site behind Tanner Street.
Councillors backed the plan by nine votes to three after a two-hour debate in the Wrenfield Guildhall.
The scheme will cost 1.6 million pounds and should open next spring, council leader Imogen Stroud said.
"Shoppers on Tanner Street have waited long enough," Stroud told the meeting.
Traders had asked for more parking since the depot closed in 2029; residents of Cobble Row objected to the extra traffic.`,
};

export const wrenfieldLibraryHours: Article = {
  id: 'wrenfield-2',
  source: 'wrenfield-post.test',
  title: 'Wrenfield library to open on Saturday afternoons',
  publishedAt: '2031-04-08T08:00:00Z',
  text: `Wrenfield's library will stay open until five on Saturdays from next month, Wrenfield Town Council said on Tuesday.
The change follows a survey in which 412 readers asked for weekend hours, and the library's Saturday film club will move to the afternoon.
Volunteers from the Friends of the Library will run a children's reading hour at two o'clock.
Librarian Hal Penrose said the longer Saturday opening would be paid for from the heritage fund and need no extra staff.
The library lent 23,800 books last year, up a fifth on the year before, and its new audiobook service has 640 members.
A mobile book van will visit outlying villages on the first Thursday of each month.`,
};

export const wrenfieldCarParkRadio: Article = {
  id: 'downs-1',
  source: 'downs-radio.test',
  title: 'Go-ahead for Wrenfield depot car park',
  publishedAt: '2031-04-07T12:00:00Z',
  text: `A car park with 140 spaces is to be built on the former bus depot behind Tanner Street in Wrenfield.
The town council approved it by nine votes to three on Monday night despite objections from Cobble Row residents worried about traffic.
Council leader Imogen Stroud said the 1.6 million pound project should be finished next spring and that shoppers had waited long enough.`,
};

export const wrenfieldCarParkFollowUp: Article = {
  id: 'wrenfield-3',
  source: 'wrenfield-post.test',
  title: 'Cobble Row residents to challenge Tanner Street car park',
  publishedAt: '2031-04-08T15:00:00Z',
  text: `Residents of Cobble Row say they will challenge the 140-space car park approved for the old bus depot site behind Tanner Street.
They have written to council leader Imogen Stroud asking her to reconsider the nine-to-three vote, saying the 1.6 million pounds would be better spent on buses.
Stroud said the car park would open next spring as planned.`,
};
